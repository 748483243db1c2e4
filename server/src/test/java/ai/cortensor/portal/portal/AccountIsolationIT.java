package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One customer never reaches another's data: user A has keys (personal and in an organization), requests and
 * usage; user B, signed in, tries every portal route and API endpoint that takes an id or a filter with A's ids
 * and gets 404 or an empty result, never A's data. Signed-out callers get sign-in (pages) or 401 (API).
 */
class AccountIsolationIT {
    static PortalTestSupport.Running portal;
    static PortalHttp alice;
    static PortalHttp bob;
    static long aliceKeyId;
    static long aliceOrgKeyId;
    static long aliceOrgId;
    static String aliceKey;
    static String alicePrefix;
    static final List<String> aliceRequests = new ArrayList<>();
    static String bobRequest;
    static long bobKeyId;

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start();
        String base = portal.baseUrl();
        alice = new PortalHttp(base).signUp("alice@example.com", PortalTestSupport.PASSWORD);
        JsonNode created = alice.createKey("alice-secret-project");
        aliceKey = created.get("key").asText();
        aliceKeyId = created.at("/metadata/id").asLong();
        alicePrefix = created.at("/metadata/prefix").asText();
        aliceRequests.add(chat(aliceKey));
        aliceRequests.add(chat(aliceKey));
        assertThat(alice.post("/portal/team/organizations", Map.of("name", "Alice Corp")).statusCode()).isEqualTo(303);
        aliceOrgId = portal.count("SELECT id FROM organizations WHERE name = 'Alice Corp'");
        aliceOrgKeyId = alice.createKey("alice-corp-key").at("/metadata/id").asLong();

        bob = new PortalHttp(base).signUp("bob@example.com", PortalTestSupport.PASSWORD);
        JsonNode bobs = bob.createKey("bob-key");
        bobKeyId = bobs.at("/metadata/id").asLong();
        bobRequest = chat(bobs.get("key").asText());
        await().atMost(Duration.ofSeconds(15)).until(() ->
                portal.count("SELECT count(*) FROM request_logs") == 3 && portal.count("SELECT count(*) FROM usage_events") == 3);
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(portal);
    }

    /** One chat completion with the key; returns its request id. */
    static String chat(String key) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(portal.baseUrl() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"isolation\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return r.headers().firstValue("x-request-id").orElseThrow();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertNothingOfAlice(HttpResponse<String> r) {
        assertThat(r.body()).doesNotContain("alice").doesNotContain("Alice").doesNotContain(alicePrefix);
        aliceRequests.forEach(id -> assertThat(r.body()).doesNotContain(id));
    }

    @Test
    void another_accounts_keys_are_not_found_on_any_key_route_and_stay_active() {
        for (long id : new long[] {aliceKeyId, aliceOrgKeyId}) {
            HttpResponse<String> page = bob.get("/portal/keys/" + id + "/revoke");
            assertThat(page.statusCode()).as("GET revoke page of %d", id).isEqualTo(404);
            assertNothingOfAlice(page);
            HttpResponse<String> post = bob.post("/portal/keys/" + id + "/revoke", Map.of());
            assertThat(post.statusCode()).as("POST revoke of %d", id).isEqualTo(404);
            assertNothingOfAlice(post);
            HttpResponse<String> delete = bob.api("DELETE", "/portal/api/keys/" + id, null, bob.csrf());
            assertThat(delete.statusCode()).as("DELETE of %d", id).isEqualTo(404);
            assertThat(PortalHttp.json(delete).at("/error/code").asText()).isEqualTo("not_found");
            assertNothingOfAlice(delete);
        }
        for (String odd : new String[] {"abc", "-1", "99999999999999999999", "0"}) {
            assertThat(bob.get("/portal/keys/" + odd + "/revoke").statusCode()).as(odd).isEqualTo(404);
            assertThat(bob.api("DELETE", "/portal/api/keys/" + odd, null, bob.csrf()).statusCode()).as(odd).isEqualTo(404);
        }
        assertThat(portal.count("SELECT count(*) FROM api_keys WHERE id IN (" + aliceKeyId + "," + aliceOrgKeyId
                + ") AND state = 'active'")).isEqualTo(2);
        aliceRequests.add(chat(aliceKey)); // the key still works
    }

    @Test
    void the_key_list_page_and_api_show_only_the_callers_own_keys() {
        JsonNode keys = PortalHttp.json(bob.get("/portal/api/keys")).get("data");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).get("id").asLong()).isEqualTo(bobKeyId);
        HttpResponse<String> page = bob.get("/portal/keys");
        assertThat(page.body()).contains("bob-key");
        assertNothingOfAlice(page);
        for (String path : new String[] {"/portal", "/portal/quickstart", "/portal/team", "/portal/profile",
                "/portal/billing", "/portal/api/me", "/portal/api/status", "/portal/api/status?model=qwen"}) {
            HttpResponse<String> r = bob.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertNothingOfAlice(r);
        }
    }

    @Test
    void usage_page_and_csv_filtered_by_another_accounts_key_show_nothing() {
        String[] filters = {"key=" + aliceKeyId + "&days=90", "key=" + aliceOrgKeyId + "&days=30",
                "key=" + aliceKeyId + "&model=qwen&days=7", "key=not-a-number"};
        for (String f : filters) {
            HttpResponse<String> page = bob.get("/portal/usage?" + f);
            assertThat(page.statusCode()).as(f).isEqualTo(200);
            assertNothingOfAlice(page);
            assertThat(page.body()).as(f).contains("0 served requests").contains("No requests yet")
                    .doesNotContain(bobRequest);
            HttpResponse<String> csv = bob.get("/portal/usage.csv?" + f);
            assertThat(csv.statusCode()).as(f).isEqualTo(200);
            assertThat(csv.body().strip().lines()).as("CSV for %s", f).hasSize(1); // the header only
        }
        // unfiltered, and filtered by the caller's own key: only the caller's request
        for (String f : new String[] {"days=90", "key=" + bobKeyId + "&days=90", "model=qwen"}) {
            HttpResponse<String> page = bob.get("/portal/usage?" + f);
            assertThat(page.body()).as(f).contains(bobRequest).contains("1 served request");
            assertNothingOfAlice(page);
            HttpResponse<String> csv = bob.get("/portal/usage.csv?" + f);
            assertThat(csv.body()).as(f).contains(bobRequest);
            assertNothingOfAlice(csv);
        }
    }

    @Test
    void usage_summary_counts_only_the_callers_requests_whatever_the_query_says() {
        for (String q : new String[] {"", "?days=30", "?key=" + aliceKeyId, "?days=90&key=" + aliceKeyId + "&user=1"}) {
            HttpResponse<String> r = bob.get("/portal/api/usage-summary" + q);
            assertThat(r.statusCode()).as(q).isEqualTo(200);
            JsonNode summary = PortalHttp.json(r);
            assertThat(summary.get("requests").asLong()).as(q).isEqualTo(1);
            long daily = 0;
            for (JsonNode d : summary.get("daily")) {
                daily += d.get("requests").asLong();
            }
            assertThat(daily).as(q).isEqualTo(1);
        }
        assertThat(PortalHttp.json(alice.get("/portal/api/usage-summary")).get("requests").asLong())
                .as("alice acts for her organization now, which has no requests").isZero();
    }

    @Test
    void another_accounts_organization_cannot_be_switched_to() {
        for (String account : new String[] {Long.toString(aliceOrgId), "abc", "-1"}) {
            HttpResponse<String> r = bob.post("/portal/account", Map.of("account", account));
            assertThat(r.statusCode()).as(account).isEqualTo(404);
            assertNothingOfAlice(r);
        }
        JsonNode me = PortalHttp.json(bob.get("/portal/api/me"));
        assertThat(me.at("/account/type").asText()).isEqualTo("personal");
        assertThat(me.get("email").asText()).isEqualTo("bob@example.com");
    }

    static final String[] SIGNED_IN_GETS = {"/portal", "/portal/keys", "/portal/keys/1/revoke", "/portal/models",
            "/portal/quickstart", "/portal/playground", "/portal/billing", "/portal/team", "/portal/usage",
            "/portal/usage?key=1&days=30", "/portal/usage.csv", "/portal/usage.csv?days=90", "/portal/profile",
            "/portal/team/members/1/remove", "/portal/team/leave"};
    // GET /invite is open: a signed-out visitor learns what the invitation is (OrganizationMembershipIT)
    static final String[] SIGNED_IN_POSTS = {"/portal/keys", "/portal/keys/1/revoke", "/portal/team/organizations",
            "/portal/team/invite", "/portal/team/invitations/1/cancel", "/portal/team/members/1/remove",
            "/portal/team/leave", "/portal/account", "/portal/profile/password", "/portal/profile/verify",
            "/portal/profile/sessions/end-others", "/invite"};

    @Test
    void signed_out_pages_redirect_to_sign_in_with_the_way_back_and_api_calls_get_401_json() {
        long keysBefore = portal.count("SELECT count(*) FROM api_keys");
        long orgsBefore = portal.count("SELECT count(*) FROM organizations");
        for (String cookie : new String[] {null, "forged-or-expired-session-token"}) {
            PortalHttp anon = new PortalHttp(portal.baseUrl());
            anon.csrf();
            if (cookie != null) {
                anon.setCookie("portal_session", cookie);
            }
            String expired = cookie == null ? "" : "&expired=1";
            for (String path : SIGNED_IN_GETS) {
                HttpResponse<String> r = anon.get(path);
                assertThat(r.statusCode()).as("GET %s", path).isEqualTo(303);
                assertThat(PortalHttp.location(r)).as("GET %s", path)
                        .isEqualTo("/signin?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + expired);
            }
            for (String path : SIGNED_IN_POSTS) {
                HttpResponse<String> r = anon.post(path, Map.of("name", "x", "email", "x@example.com", "token", "abc",
                        "account", "personal", "password", "irrelevant password"));
                assertThat(r.statusCode()).as("POST %s", path).isEqualTo(303);
                assertThat(PortalHttp.location(r)).as("POST %s", path)
                        .isEqualTo("/signin?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + expired);
            }
            for (String[] call : new String[][] {{"GET", "/portal/api/me"}, {"GET", "/portal/api/keys"},
                    {"POST", "/portal/api/keys"}, {"DELETE", "/portal/api/keys/" + aliceKeyId},
                    {"GET", "/portal/api/usage-summary"}, {"GET", "/portal/api/status"},
                    {"POST", "/portal/api/playground/chat"}}) {
                HttpResponse<String> r = anon.api(call[0], call[1], call[0].equals("GET") || call[0].equals("DELETE")
                        ? null : "{\"name\":\"x\",\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                        anon.csrf());
                assertThat(r.statusCode()).as("%s %s", call[0], call[1]).isEqualTo(401);
                assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
                assertThat(PortalHttp.json(r).at("/error/code").asText()).isEqualTo("not_signed_in");
            }
        }
        assertThat(portal.count("SELECT count(*) FROM api_keys")).isEqualTo(keysBefore);
        assertThat(portal.count("SELECT count(*) FROM organizations")).isEqualTo(orgsBefore);
        assertThat(portal.count("SELECT count(*) FROM api_keys WHERE id = " + aliceKeyId + " AND state = 'active'"))
                .isEqualTo(1);
    }
}
