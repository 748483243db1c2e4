package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every client mistake gets a precise OpenAI-style 4xx with the request id; none is a 500; each is logged. */
class BadInputIT {
    static PortalHarness harness;
    static String key;

    @BeforeAll
    static void start() {
        harness = new PortalHarness(Map.of("http.max-body-bytes", "4096"));
        key = harness.newKey("bad-input@example.com");
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.has("error")).as("OpenAI error object in %s", r.body()).isTrue();
        String requestId = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(requestId).startsWith("req_");
        assertThat(body.get("error").get("request_id").asText()).isEqualTo(requestId);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return body.get("error");
    }

    @ParameterizedTest(name = "{0} -> {1} {2} param={3}")
    @CsvSource(delimiter = '|', value = {
            "{not json                                                   | 400 | invalid_json              | ",
            "[1,2]                                                       | 400 | invalid_json              | ",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}      | 400 | missing_required_parameter| model",
            "{\"model\":\"qwen\"}                                        | 400 | missing_required_parameter| messages",
            "{\"model\":\"qwen\",\"messages\":\"hi\"}                    | 400 | invalid_type              | messages",
            "{\"model\":\"qwen\",\"messages\":[]}                        | 400 | invalid_value             | messages",
            "{\"model\":\"qwen\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]} | 400 | invalid_value | messages[0].role",
            "{\"model\":\"qwen\",\"messages\":[{\"content\":\"x\"}]}     | 400 | missing_required_parameter| messages[0].role",
            "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_type | model",
            "{\"model\":\"qwen\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_type | stream",
            "{\"model\":\"qwen\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | max_tokens",
            "{\"model\":\"qwen\",\"max_tokens\":100000,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | max_tokens",
            "{\"model\":\"qwen\",\"temperature\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | temperature",
            "{\"model\":\"qwen\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unsupported_parameter | n",
            "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 404 | model_not_found | model",
    })
    void malformed_chat_request_is_a_precise_client_error(String body, int status, String code, String param)
            throws Exception {
        HttpResponse<String> r = harness.post("/v1/chat/completions", key, body);

        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = error(r);
        assertThat(e.get("code").asText()).isEqualTo(code.trim());
        assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
        if (param == null) {
            assertThat(e.get("param").isNull()).isTrue();
        } else {
            assertThat(e.get("param").asText()).isEqualTo(param.trim());
        }
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Object> log = harness.requestLog(id);
            assertThat(log.get("status")).isEqualTo("blocked");
            assertThat(log.get("block_reason")).isEqualTo(code.trim());
            assertThat(log.get("http_status")).isEqualTo(status);
        });
        assertThat(harness.usageEvents(id)).isEmpty();
    }

    @Test
    void text_completion_without_prompt_names_the_param() throws Exception {
        HttpResponse<String> r = harness.post("/v1/completions", key, "{\"model\":\"qwen\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r).get("param").asText()).isEqualTo("prompt");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing       | | missing_api_key",
            "garbled       | Bearer nonsense | invalid_api_key",
            "not bearer    | Basic dXNlcjpwYXNz | invalid_api_key",
            "unknown       | Bearer ctsr_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB | invalid_api_key",
    })
    void bad_key_is_401(String name, String header, String code) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("qwen", false)));
        if (header != null) {
            b.header("Authorization", header.trim());
        }
        HttpResponse<String> r = harness.send(b.build());
        assertThat(r.statusCode()).isEqualTo(401);
        JsonNode e = error(r);
        assertThat(e.get("code").asText()).isEqualTo(code.trim());
        assertThat(e.get("type").asText()).isEqualTo("authentication_error");
    }

    @Test
    void revoked_key_is_rejected_with_its_own_code() throws Exception {
        String token = harness.newKey("revoke-me@example.com");
        var key = harness.portal.keys().find(token.substring(5, 17)).orElseThrow();
        assertThat(harness.post("/v1/chat/completions", token, PortalHarness.chatBody("qwen", false)).statusCode())
                .isEqualTo(200);

        harness.portal.keys().revoke(key, ai.cortensor.portal.audit.Actor.system("test"), "leaked");

        HttpResponse<String> r = harness.post("/v1/chat/completions", token, PortalHarness.chatBody("qwen", false));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(error(r).get("code").asText()).isEqualTo("revoked_api_key");
    }

    @Test
    void oversized_body_is_413_whether_declared_or_chunked() throws Exception {
        String big = "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(10_000) + "\"}]}";
        HttpResponse<String> declared = harness.post("/v1/chat/completions", key, big);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(error(declared).get("code").asText()).isEqualTo("request_too_large");

        HttpRequest chunked = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build();
        HttpResponse<String> r = harness.send(chunked);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(error(r).get("code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void wrong_method_is_405_and_unknown_path_is_404() throws Exception {
        HttpResponse<String> get = harness.get("/v1/chat/completions", key);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(error(get).get("code").asText()).isEqualTo("method_not_allowed");

        HttpResponse<String> unknown = harness.get("/v1/embeddings", key);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(error(unknown).get("code").asText()).isEqualTo("unknown_url");
    }
}
