package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who gets into the operator console and {@code /admin/api}, over plain HTTP: only an operator's console session;
 * never a customer's portal session or API key. Every POST needs the console's CSRF token, and the service refuses
 * what a role may not do even when the form is forged.
 */
class OperatorConsoleAccessIT {
    static PortalTestSupport.Running portal;
    static String admin;
    static String support;
    static OperatorStore operators;

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start();
        operators = new OperatorStore(portal.jdbi(), new SecureRandom());
        admin = operators.issue("root@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("helpdesk@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    /** A browser-like client signed in to the console with {@code token}. */
    static PortalHttp operator(String token) {
        PortalHttp c = new PortalHttp(portal.baseUrl());
        HttpResponse<String> r = form(c, "/admin/signin", Map.of("token", token, "next", "/admin"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        assertThat(PortalHttp.location(r)).isEqualTo("/admin");
        return c;
    }

    /** POSTs a form repeating the console's CSRF cookie (fetching the sign-in page first for one). */
    static HttpResponse<String> form(PortalHttp c, String path, Map<String, String> fields) {
        if (c.cookie("admin_csrf") == null) {
            c.get("/admin/signin");
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("_csrf", c.cookie("admin_csrf"));
        all.putAll(fields);
        return c.postRaw(path, PortalHttp.encode(all));
    }

    static long audits(String action) {
        return portal.count("SELECT count(*) FROM audit_events WHERE action = '" + action + "'");
    }

    static long userId(String email) {
        return portal.portal().accounts().findByEmail(email).orElseThrow().id();
    }

    static String keyState(String key) {
        return portal.jdbi().withHandle(h -> h.createQuery("SELECT state FROM api_keys WHERE public_id = :p")
                .bind("p", key.substring(5, 17)).mapTo(String.class).one());
    }

    static long keyId(String key) {
        return portal.jdbi().withHandle(h -> h.createQuery("SELECT id FROM api_keys WHERE public_id = :p")
                .bind("p", key.substring(5, 17)).mapTo(Long.class).one());
    }

    @Test
    void signed_out_browsers_are_sent_to_the_operator_sign_in_and_come_back_after() {
        PortalHttp c = new PortalHttp(portal.baseUrl());
        HttpResponse<String> r = c.get("/admin/requests?status=failed");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(r)).isEqualTo("/admin/signin?next=%2Fadmin%2Frequests%3Fstatus%3Dfailed");
        HttpResponse<String> signIn = c.get("/admin/signin?next=%2Fadmin%2Frequests%3Fstatus%3Dfailed");
        assertThat(signIn.statusCode()).isEqualTo(200);
        assertThat(signIn.body()).contains("Operator token");
        HttpResponse<String> in = form(c, "/admin/signin", Map.of("token", admin, "next", "/admin/requests?status=failed"));
        assertThat(PortalHttp.location(in)).isEqualTo("/admin/requests?status=failed");
        assertThat(PortalHttp.setCookies(in)).anySatisfy(sc -> assertThat(sc).startsWith("admin_session=")
                .containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/admin"));
        assertThat(c.get("/admin/requests?status=failed").statusCode()).isEqualTo(200);
        // an absolute or protocol-relative next never leaves the console
        assertThat(PortalHttp.location(form(new PortalHttp(portal.baseUrl()), "/admin/signin",
                Map.of("token", admin, "next", "//evil.example/admin")))).isEqualTo("/admin");
    }

    @Test
    void signing_out_ends_the_session_and_the_old_cookie_no_longer_works() {
        PortalHttp c = operator(admin);
        String session = c.cookie("admin_session");
        HttpResponse<String> out = form(c, "/admin/signout", Map.of());
        assertThat(PortalHttp.location(out)).isEqualTo("/admin/signin?signedout=1");
        PortalHttp replay = new PortalHttp(portal.baseUrl());
        replay.setCookie("admin_session", session);
        assertThat(replay.get("/admin").statusCode()).isEqualTo(303);
        assertThat(portal.count("SELECT count(*) FROM browser_sessions WHERE revoked_at IS NULL AND token_hash = "
                + "sha256(convert_to('" + session + "', 'UTF8'))")).isZero();
    }

    @Test
    void a_customer_session_or_api_key_never_reaches_the_console_or_the_admin_api() {
        String key = portal.newKey("curious@example.com");
        PortalHttp customer = new PortalHttp(portal.baseUrl()).signUp("nosy@example.com", PortalTestSupport.PASSWORD);
        assertThat(customer.cookie("portal_session")).isNotNull();
        HttpResponse<String> page = customer.get("/admin");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(page)).startsWith("/admin/signin");
        HttpResponse<String> api = customer.get("/admin/api/me");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.body()).contains("missing_operator_token");
        HttpResponse<String> apiWrite = customer.api("POST", "/admin/api/keys/" + key.substring(0, 17) + "/revoke",
                "{\"reason\":\"customer tries\"}", customer.csrf());
        assertThat(apiWrite.statusCode()).isEqualTo(401);
        assertThat(keyState(key)).isEqualTo("active");
        // a customer's API key as a console "token" or a bearer on the console
        HttpResponse<String> asToken = form(new PortalHttp(portal.baseUrl()), "/admin/signin", Map.of("token", key));
        assertThat(asToken.statusCode()).isEqualTo(401);
        PortalHttp bearer = new PortalHttp(portal.baseUrl());
        assertThat(bearer.send(bearer.request("/admin").header("Authorization", "Bearer " + key).GET()).statusCode())
                .isEqualTo(303);
        // nor does the console's own session open the JSON API: it wants a bearer token
        assertThat(operator(admin).get("/admin/api/me").statusCode()).isEqualTo(401);
    }

    @Test
    void a_post_without_the_console_csrf_token_is_refused_and_changes_nothing() {
        String key = portal.newKey("csrf-target@example.com");
        PortalHttp c = operator(admin);
        long before = audits("api_key.revoke");
        HttpResponse<String> r = c.postRaw("/admin/keys/" + keyId(key) + "/revoke",
                PortalHttp.encode(Map.of("reason", "forged by another site")));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("Page expired");
        HttpResponse<String> wrong = c.postRaw("/admin/keys/" + keyId(key) + "/revoke",
                PortalHttp.encode(Map.of("_csrf", "x".repeat(43), "reason", "forged")));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(keyState(key)).isEqualTo("active");
        assertThat(audits("api_key.revoke")).isEqualTo(before);
    }

    @Test
    void support_forging_admin_only_posts_is_refused_with_nothing_changed_or_audited() {
        String key = portal.newKey("paused-by-admin@example.com");
        long user = userId("paused-by-admin@example.com");
        HttpResponse<String> paused = form(operator(admin), "/admin/accounts/u" + user + "/pause",
                Map.of("reason", "abuse report", "back", "/admin/accounts/u" + user));
        assertThat(paused.statusCode()).isEqualTo(303);
        assertThat(PortalHttp.location(paused)).startsWith("/admin/accounts/u" + user + "?done=");

        PortalHttp desk = operator(support);
        long auditsBefore = portal.count("SELECT count(*) FROM audit_events");
        for (String path : new String[] {"/admin/accounts/u" + user + "/unpause", "/admin/models/qwen/disable",
                "/admin/pools/default/drain", "/admin/pools/default/targets/a/disable"}) {
            HttpResponse<String> r = form(desk, path, Map.of("reason", "support tries anyway"));
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.body()).as(path).contains("The support role may not do");
        }
        assertThat(portal.count("SELECT count(*) FROM audit_events")).isEqualTo(auditsBefore);
        assertThat(portal.count("SELECT count(*) FROM users WHERE state = 'paused' AND id = " + user)).isEqualTo(1);
        assertThat(portal.count("SELECT count(*) FROM models WHERE alias = 'qwen' AND state = 'enabled'")).isEqualTo(1);
        assertThat(portal.count("SELECT count(*) FROM router_pools WHERE name = 'default' AND state = 'live'")).isEqualTo(1);
        assertThat(portal.chat(key).body()).contains("account_paused");

        // and support's pages show no admin-only control
        String account = desk.get("/admin/accounts/u" + user).body();
        assertThat(account).doesNotContain("/unpause").contains("ask an admin");
        String pools = desk.get("/admin/pools").body();
        assertThat(pools).doesNotContain("/drain").doesNotContain("/disable").doesNotContain("<form method=\"post\" class");
    }

    @Test
    void an_action_without_a_reason_is_refused_and_shows_why() {
        String key = portal.newKey("no-reason@example.com");
        HttpResponse<String> r = form(operator(admin), "/admin/keys/" + keyId(key) + "/revoke",
                Map.of("reason", "  ", "back", "/admin/keys/" + keyId(key)));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Give a reason");
        assertThat(keyState(key)).isEqualTo("active");
    }

    @Test
    void disabling_an_operator_ends_their_console_session() {
        var issued = operators.issue("temp@ops.test", Role.SUPPORT, Actor.system("test"), "cover");
        PortalHttp temp = operator(issued.token());
        assertThat(temp.get("/admin").statusCode()).isEqualTo(200);
        PortalHttp c = new PortalHttp(portal.baseUrl());
        HttpResponse<String> r = c.send(c.request("/admin/api/operators/temp@ops.test/disable")
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reason\":\"cover ended\"}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(temp.get("/admin").statusCode()).isEqualTo(303);
        assertThat(audits("operator.disable")).isEqualTo(1);
    }

    @Test
    void pages_never_show_secrets_and_unknown_console_pages_are_friendly() {
        String key = portal.newKey("secretive@example.com");
        PortalHttp c = operator(admin);
        String keyPage = c.get("/admin/keys/" + keyId(key)).body();
        String search = c.get("/admin?q=" + key).body(); // a pasted full key is cut to its prefix
        for (String body : new String[] {keyPage, search, c.get("/admin/pools").body()}) {
            assertThat(body).doesNotContain(key.substring(18)).doesNotContain("sim-router-secret")
                    .doesNotContain("secret_hash").doesNotContain("127.0.0.1:");
        }
        assertThat(search).contains(key.substring(0, 17));
        HttpResponse<String> missing = c.get("/admin/nothing-here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("There is no console page");
        assertThat(missing.headers().firstValue("content-security-policy")).isPresent();
    }
}
