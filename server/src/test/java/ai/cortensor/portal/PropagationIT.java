package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.KeyFormat;
import ai.cortensor.portal.plans.AdmissionControl.AccountRef;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, propagation: an operator's or customer's change made through one replica takes effect on another
 * replica's next requests within the hard limit of 1 s — two real servers on one PostgreSQL, the same simulators.
 * Every assertion polls the other replica (never sleeps) and fails only when the change did not arrive in time.
 */
class PropagationIT {
    /** The hard limit of issue 6; the target is 100 ms (measured in bench/propagation.sh). */
    static final Duration HARD_LIMIT = Duration.ofSeconds(1);

    static PortalHarness a;
    static Portal b;

    @BeforeAll
    static void start() {
        a = new PortalHarness();
        b = a.startReplica("b");
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        a.close();
    }

    static ConditionFactory withinHardLimit() {
        return await().atMost(HARD_LIMIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    static HttpResponse<String> onB(String method, String path, String key, String body) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return a.send(r.build());
    }

    static HttpResponse<String> chatOnB(String key, String model) {
        return onB("POST", "/v1/chat/completions", key, PortalHarness.chatBody(model, false));
    }

    static boolean rejected(HttpResponse<String> r, int status, String code) {
        return r.statusCode() == status && r.body().contains("\"code\":\"" + code + "\"");
    }

    static ApiKey keyOf(String token) {
        return a.portal.keys().find(KeyFormat.parse(token).publicId()).orElseThrow();
    }

    static long userOf(String token) {
        return keyOf(token).userId();
    }

    @Test
    void key_revoked_through_one_replica_is_rejected_by_the_next_requests_on_the_other() {
        String key = a.newKey("revoke@example.com");
        assertThat(chatOnB(key, "qwen").statusCode()).as("B has the key cached and accepts it").isEqualTo(200);

        assertThat(a.portal.keys().revoke(keyOf(key), ai.cortensor.portal.audit.Actor.system("test"), "propagation test")).isTrue();

        withinHardLimit().until(() -> rejected(onB("GET", "/v1/models", key, null), 401, "revoked_api_key"));
        assertThat(rejected(chatOnB(key, "qwen"), 401, "revoked_api_key")).isTrue();
    }

    @Test
    void account_paused_on_one_replica_is_rejected_on_the_other() {
        String key = a.newKey("pause@example.com");
        String other = a.newKey("not-paused@example.com");
        assertThat(chatOnB(key, "qwen").statusCode()).isEqualTo(200);
        assertThat(chatOnB(other, "qwen").statusCode()).isEqualTo(200);

        long user = userOf(key);
        a.jdbi().useHandle(h -> h.createUpdate("UPDATE users SET state = 'paused' WHERE id = :u").bind("u", user)
                .execute());
        a.portal.changes().publish(ChangeFeed.ACCOUNT, "u" + user);

        withinHardLimit().until(() -> rejected(chatOnB(key, "qwen"), 403, "account_paused"));
        assertThat(chatOnB(other, "qwen").statusCode()).as("another account is untouched").isEqualTo(200);
    }

    @Test
    void plan_changed_on_one_replica_applies_on_the_other() {
        a.plan("gemma-only", "{\"rpm\":1000}");
        a.jdbi().useHandle(h -> h.createUpdate("INSERT INTO model_access_policies (plan_id, model_alias) "
                + "SELECT id, 'gemma-4' FROM plans WHERE code = 'gemma-only'").execute());
        String key = a.newKey("plan@example.com");
        assertThat(chatOnB(key, "qwen").statusCode()).as("the dedicated plan includes qwen").isEqualTo(200);

        assertThat(a.portal.admission().changePlan(new AccountRef(userOf(key), null), "gemma-only")).isTrue();

        withinHardLimit().until(() -> rejected(chatOnB(key, "qwen"), 403, "model_not_entitled"));
        assertThat(chatOnB(key, "gemma-4").statusCode()).isEqualTo(200);
    }

    @Test
    void pool_paused_on_one_replica_stops_routing_on_the_other() {
        String key = a.newKey("pool@example.com");
        assertThat(chatOnB(key, "qwen").statusCode()).isEqualTo(200);
        Actor ops = new Actor("ops@example.com", "admin", null, null);
        try {
            a.portal.poolControl().setPoolState("default", "paused", ops, "propagation test");
            withinHardLimit().until(() -> rejected(chatOnB(key, "qwen"), 503, "model_unavailable"));
        } finally {
            a.portal.poolControl().setPoolState("default", "live", ops, "propagation test over");
        }
        withinHardLimit().until(() -> chatOnB(key, "qwen").statusCode() == 200);
    }

    @Test
    void model_disabled_on_one_replica_is_refused_as_disabled_on_the_other() {
        String key = a.newKey("model@example.com");
        assertThat(chatOnB(key, "oss-20b").statusCode()).isEqualTo(200);
        Actor ops = new Actor("ops@example.com", "admin", null, null);
        try {
            a.portal.poolControl().setModelEnabled("oss-20b", false, ops, "propagation test");
            withinHardLimit().until(() -> rejected(chatOnB(key, "oss-20b"), 404, "model_disabled"));
            assertThat(onB("GET", "/v1/models/oss-20b", key, null).statusCode()).isEqualTo(404);
        } finally {
            a.portal.poolControl().setModelEnabled("oss-20b", true, ops, "propagation test over");
        }
        withinHardLimit().until(() -> chatOnB(key, "oss-20b").statusCode() == 200);
    }

    @Test
    void after_its_listener_connection_is_killed_a_replica_reconnects_and_picks_up_what_it_missed() {
        String key = a.newKey("reconnect@example.com");
        assertThat(onB("GET", "/v1/models", key, null).statusCode()).isEqualTo(200);
        // a change nobody announced: exactly what a replica misses while its listener is down
        a.jdbi().useHandle(h -> h.createUpdate("UPDATE api_keys SET state = 'revoked', revoked_at = now() "
                + "WHERE public_id = :p").bind("p", keyOf(key).publicId()).execute());
        assertThat(onB("GET", "/v1/models", key, null).statusCode()).as("B serves from its cache").isEqualTo(200);
        long resyncsBefore = b.changes().resyncs();

        long killed = a.jdbi().withHandle(h -> h.createQuery("SELECT count(pg_terminate_backend(pid)) "
                + "FROM pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = 'portal-change-feed'")
                .mapTo(Long.class).one());
        assertThat(killed).as("both replicas' listeners").isEqualTo(2);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> b.changes().resyncs() > resyncsBefore && b.changes().connected());
        withinHardLimit().until(() -> rejected(onB("GET", "/v1/models", key, null), 401, "revoked_api_key"));
        assertThat(a.metrics(b)).contains("portal_change_feed_connected 1.0")
                .containsPattern("portal_change_feed_resyncs_total [2-9]");

        // and the feed works again after the reconnect
        String next = a.newKey("after-reconnect@example.com");
        assertThat(onB("GET", "/v1/models", next, null).statusCode()).isEqualTo(200);
        a.portal.keys().revoke(keyOf(next), ai.cortensor.portal.audit.Actor.system("test"), "after reconnect");
        withinHardLimit().until(() -> rejected(onB("GET", "/v1/models", next, null), 401, "revoked_api_key"));
    }
}
