package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets stay secret: a new key's full token is in the create answer and nowhere after it; the password is never
 * echoed; the session cookie is HttpOnly and SameSite=Lax; the server's log (everything the root logger gets
 * while this class runs, from start-up on) holds none of them.
 */
class NoSecretLeaksIT {
    static final String EMAIL = "leak@example.com";
    static final String PASSWORD = "Zebra-Quartz-Lantern-8841";
    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    static Logger root;
    static PortalTestSupport.Running portal;

    @BeforeAll
    static void start() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        portal = PortalTestSupport.start();
    }

    @AfterAll
    static void stop() {
        if (portal != null) {
            portal.close();
        }
        root.detachAppender(logs);
        logs.stop();
    }

    static String logText() {
        List<ILoggingEvent> events;
        synchronized (logs) {
            events = new ArrayList<>(logs.list);
        }
        return events.stream().map(e -> e.getLoggerName() + " " + e.getFormattedMessage() + " " + e.getMDCPropertyMap()
                        + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
    }

    static String setCookie(HttpResponse<?> r, String name) {
        return PortalHttp.setCookies(r).stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + PortalHttp.setCookies(r)));
    }

    @Test
    void session_and_csrf_cookies_are_http_only_and_same_site_lax() {
        PortalHttp c = new PortalHttp(portal.baseUrl());
        HttpResponse<String> page = c.get("/signup");
        assertThat(setCookie(page, "portal_csrf")).containsIgnoringCase("; HttpOnly").containsIgnoringCase("; SameSite=Lax")
                .contains("; Path=/");
        HttpResponse<String> signUp = c.post("/signup", Map.of("email", "cookies@example.com", "password", PASSWORD));
        assertThat(setCookie(signUp, "portal_session")).containsIgnoringCase("; HttpOnly")
                .containsIgnoringCase("; SameSite=Lax").contains("; Path=/").containsIgnoringCase("Max-Age=");
        HttpResponse<String> signIn = new PortalHttp(portal.baseUrl()).post("/signin",
                Map.of("email", "cookies@example.com", "password", PASSWORD));
        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(setCookie(signIn, "portal_session")).containsIgnoringCase("; HttpOnly")
                .containsIgnoringCase("; SameSite=Lax");
    }

    @Test
    void the_full_key_the_password_and_the_session_token_appear_in_no_later_page_api_answer_or_log_line()
            throws Exception {
        String base = portal.baseUrl();
        PortalHttp c = new PortalHttp(base).signUp(EMAIL, PASSWORD);
        String session = c.cookie("portal_session");
        assertThat(session).hasSizeGreaterThan(30);

        HttpResponse<String> created = c.api("POST", "/portal/api/keys", "{\"name\":\"leak-check\"}", c.csrf());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("cache-control")).hasValue("no-store");
        JsonNode answer = PortalHttp.json(created);
        String key = answer.get("key").asText();
        String secret = key.substring(key.lastIndexOf('_') + 1);
        long id = answer.at("/metadata/id").asLong();
        assertThat(secret).hasSize(40);

        HttpResponse<String> chat = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).isEqualTo(200);
        String requestId = chat.headers().firstValue("x-request-id").orElseThrow();
        await().atMost(Duration.ofSeconds(15)).until(() ->
                portal.count("SELECT count(*) FROM request_logs WHERE request_id = '" + requestId + "'") == 1);

        List<HttpResponse<String>> later = new ArrayList<>();
        for (String path : new String[] {"/portal", "/portal/keys", "/portal/keys/" + id + "/revoke", "/portal/usage",
                "/portal/usage?key=" + id + "&days=90", "/portal/usage.csv?days=90", "/portal/profile", "/portal/quickstart",
                "/portal/playground", "/portal/team", "/portal/billing", "/portal/models", "/portal/api/keys",
                "/portal/api/me", "/portal/api/usage-summary", "/portal/api/status"}) {
            HttpResponse<String> r = c.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            later.add(r);
        }
        assertThat(later.get(3).body()).as("the usage page shows the request").contains(requestId);
        assertThat(later.get(1).body()).as("the keys page lists the key by its prefix").contains(answer.at("/metadata/prefix").asText());
        // forms that failed, with the password typed in them
        later.add(c.post("/portal/profile/password", Map.of("current", "Wrong-Current-" + PASSWORD, "password", PASSWORD + "-2")));
        later.add(new PortalHttp(base).post("/signup", Map.of("email", EMAIL, "password", PASSWORD)));
        later.add(new PortalHttp(base).post("/signin", Map.of("email", EMAIL, "password", PASSWORD + "-typo")));
        later.add(c.api("DELETE", "/portal/api/keys/" + id, null, c.csrf()));
        assertThat(later.get(later.size() - 1).statusCode()).isEqualTo(200);
        later.add(c.get("/portal/keys?revoked=1"));

        for (HttpResponse<String> r : later) {
            assertThat(r.body()).as("%s %s", r.request().method(), r.uri())
                    .doesNotContain(secret).doesNotContain(PASSWORD).doesNotContain(session);
        }

        String log = logText();
        assertThat(log).as("the appender sees the server's log").contains("listening on").contains("Mail to " + EMAIL);
        assertThat(log).doesNotContain(secret).doesNotContain(PASSWORD).doesNotContain(session);
    }
}
