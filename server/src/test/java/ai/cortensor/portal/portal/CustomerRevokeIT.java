package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.Portal;
import ai.cortensor.portal.PortalTestSupport;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A customer revokes a key in the portal of one replica (real sign-up, real {@code /portal/api}); another replica,
 * which has the key cached, rejects it within the hard limit of 1 s (issue 6).
 */
class CustomerRevokeIT {
    static PortalTestSupport.Running portal;
    static Portal replica;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start();
        replica = portal.startReplica("b");
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        portal.close();
    }

    static HttpResponse<String> modelsOnReplica(String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/v1/models"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void key_revoked_in_the_portal_of_one_replica_is_rejected_by_the_other_within_a_second() throws Exception {
        PortalHttp carol = new PortalHttp(portal.baseUrl()).signUp("carol@example.com", PortalTestSupport.PASSWORD);
        JsonNode created = carol.createKey("laptop");
        String key = created.get("key").asText();
        assertThat(modelsOnReplica(key).statusCode()).as("the other replica accepts and caches it").isEqualTo(200);

        HttpResponse<String> revoked = carol.api("DELETE", "/portal/api/keys/" + created.at("/metadata/id").asLong(),
                null, carol.csrf());
        assertThat(revoked.statusCode()).as(revoked.body()).isBetween(200, 204);

        await().atMost(Duration.ofSeconds(1)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    HttpResponse<String> r = modelsOnReplica(key);
                    return r.statusCode() == 401 && r.body().contains("\"code\":\"revoked_api_key\"");
                });
        assertThat(portal.count("SELECT count(*) FROM audit_events WHERE action = 'api_key.revoke' AND actor_role = 'customer'"
                + " AND actor = 'carol@example.com' AND target_id = '" + created.at("/metadata/id").asLong() + "'"))
                .as("the customer's revoke is audited with the revocation itself").isEqualTo(1);
    }
}
