package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One browser-like HTTP client for the portal without a browser: its own cookie jar (kept by hand so tests can
 * see each Set-Cookie as sent), no redirect following, and helpers for forms that repeat the CSRF cookie.
 */
final class PortalHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final HttpClient http;
    private final Map<String, String> jar = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    PortalHttp(String base) {
        this(base, HTTP);
    }

    private PortalHttp(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** A client whose connections come from {@code local} (any 127.x.y.z reaches the portal on 127.0.0.1). */
    static PortalHttp from(String base, String local) {
        try {
            return new PortalHttp(base, HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(5)).localAddress(java.net.InetAddress.getByName(local)).build());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends this header with every request from now on (e.g. X-Forwarded-For, as a proxy would). */
    PortalHttp header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    String cookie(String name) {
        return jar.get(name);
    }

    void setCookie(String name, String value) {
        jar.put(name, value);
    }

    /** The CSRF token of this client, fetching a page first when it has none yet. */
    String csrf() {
        if (!jar.containsKey("portal_csrf")) {
            assertThat(get("/signin").statusCode()).isEqualTo(200);
        }
        return jar.get("portal_csrf");
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    HttpResponse<String> post(String path, Map<String, String> fields) {
        Map<String, String> withCsrf = new LinkedHashMap<>();
        withCsrf.put("_csrf", csrf());
        withCsrf.putAll(fields);
        return postRaw(path, encode(withCsrf));
    }

    /** A form post exactly as given: no CSRF field added. */
    HttpResponse<String> postRaw(String path, String urlencoded) {
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(urlencoded)));
    }

    /** A JSON API call; {@code csrf} null sends no X-CSRF-Token header. */
    HttpResponse<String> api(String method, String path, String json, String csrf) {
        HttpRequest.Builder b = request(path).header("Accept", "application/json");
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return send(b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("User-Agent", "PortalHttp/1 (Linux) test");
        headers.forEach(b::header);
        if (!jar.isEmpty()) {
            b.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        return b;
    }

    HttpResponse<String> send(HttpRequest.Builder b) {
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (String sc : r.headers().allValues("set-cookie")) {
            String pair = sc.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String name = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (value.isEmpty() || sc.toLowerCase().contains("max-age=0")) {
                jar.remove(name);
            } else {
                jar.put(name, value);
            }
        }
        return r;
    }

    /** Signs a new user up through the real form; fails unless the portal starts a session. */
    PortalHttp signUp(String email, String password) {
        HttpResponse<String> r = post("/signup", Map.of("email", email, "password", password));
        assertThat(r.statusCode()).as("sign-up of %s: %s", email, r.body()).isEqualTo(303);
        assertThat(jar).containsKey("portal_session");
        return this;
    }

    PortalHttp signIn(String email, String password) {
        HttpResponse<String> r = post("/signin", Map.of("email", email, "password", password));
        assertThat(r.statusCode()).as("sign-in of %s: %s", email, r.body()).isEqualTo(303);
        return this;
    }

    /** Creates a key through {@code POST /portal/api/keys}; returns the 201 answer as JSON. */
    JsonNode createKey(String name) {
        HttpResponse<String> r = api("POST", "/portal/api/keys", "{\"name\":\"" + name + "\"}", csrf());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static String location(HttpResponse<String> r) {
        return r.headers().firstValue("location").orElse(null);
    }

    static String encode(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static List<String> setCookies(HttpResponse<?> r) {
        return r.headers().allValues("set-cookie");
    }
}
