package ai.cortensor.portal.admin.cli;

import ai.cortensor.portal.admin.api.AdminApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CLI's side of {@code /admin/api}: one HTTP call per command, an {@link Failure} with the CLI's exit code when
 * the call does not succeed (see {@link ExitCodes}).
 */
final class AdminClient {
    private final String baseUrl;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    AdminClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /** Exit codes of {@code portal admin …} (documented in docs/admin-api.md). */
    static final class ExitCodes {
        static final int OK = 0;
        static final int USAGE = 1;
        static final int NOT_FOUND = 2;
        static final int UNAUTHORIZED = 3;
        static final int SERVER = 4;
        /** {@code billing reconcile} found a drift. */
        static final int DRIFT = 5;

        private ExitCodes() {}

        static int forStatus(int status) {
            return switch (status) {
                case 401, 403 -> UNAUTHORIZED;
                case 404 -> NOT_FOUND;
                default -> status >= 500 ? SERVER : USAGE;
            };
        }
    }

    /** A command that did not succeed: the message for stderr and the exit code. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code path} plus the non-null query parameters. */
    static String withQuery(String path, Map<String, Object> query) {
        String q = query.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return q.isEmpty() ? path : path + "?" + q;
    }

    static Map<String, Object> query(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** The raw JSON text of a successful answer. */
    String get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    String post(String path, Map<String, ?> body) {
        return post(path, body, Map.of());
    }

    /** A POST with extra headers, e.g. {@code Idempotency-Key}. */
    String post(String path, Map<String, ?> body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(AdminApi.JSON.writeValueAsBytes(body)));
            headers.forEach(b::header);
            return send(b);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        try {
            return URI.create(baseUrl + path);
        } catch (IllegalArgumentException e) {
            throw new Failure(ExitCodes.USAGE, "not a valid server URL: " + baseUrl);
        }
    }

    private String send(HttpRequest.Builder b) {
        if (token == null || token.isBlank()) {
            throw new Failure(ExitCodes.UNAUTHORIZED, "no operator token: pass --token or set PORTAL_ADMIN_TOKEN");
        }
        HttpResponse<String> res;
        try {
            res = http.send(b.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure(ExitCodes.SERVER, "cannot reach " + baseUrl + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(ExitCodes.SERVER, "interrupted");
        }
        if (res.statusCode() / 100 == 2) {
            return res.body();
        }
        String message = "HTTP " + res.statusCode();
        try {
            JsonNode e = AdminApi.JSON.readTree(res.body()).path("error");
            if (e.has("message")) {
                message = e.path("message").asText() + " (" + e.path("code").asText() + ", HTTP " + res.statusCode()
                        + ", request " + e.path("request_id").asText() + ")";
            }
        } catch (IOException | RuntimeException ignored) {
            // not a JSON problem: keep the status line
        }
        throw new Failure(ExitCodes.forStatus(res.statusCode()), message);
    }
}
