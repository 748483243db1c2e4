package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same conversation sent through Chat Completions, Responses and Anthropic Messages is the same request to the
 * product: the same prompt reaches the router, the same answer comes back, and the request log and usage events
 * record the same model, status and tokens, each naming its own route.
 */
class DialectParityIT {
    private static PortalHarness harness;
    private static String key;

    @BeforeAll
    static void start() {
        harness = new PortalHarness();
        key = harness.newKey("parity@example.com");
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static final String QUESTION = "Name three colours of the rainbow.";

    private static String chat(boolean stream) {
        return """
                {"model":"gemma-4","max_tokens":64,"temperature":0.2,"stream":%s,
                 "messages":[{"role":"user","content":"%s"}]}""".formatted(stream, QUESTION);
    }

    private static String responses(boolean stream) {
        return """
                {"model":"gemma-4","max_output_tokens":64,"temperature":0.2,"stream":%s,"store":false,
                 "input":[{"role":"user","content":"%s"}]}""".formatted(stream, QUESTION);
    }

    private static String messages(boolean stream) {
        return """
                {"model":"gemma-4","max_tokens":64,"temperature":0.2,"stream":%s,
                 "messages":[{"role":"user","content":"%s"}]}""".formatted(stream, QUESTION);
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void one_conversation_through_each_dialect_leaves_the_same_usage_record(boolean stream) throws Exception {
        harness.simA.resetStats();
        harness.simB.resetStats();
        List<String> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String[] call : new String[][] {{"/v1/chat/completions", chat(stream)},
                {"/v1/responses", responses(stream)}, {"/v1/messages", messages(stream)}}) {
            HttpResponse<String> r = harness.post(call[0], key, call[1]);
            assertThat(r.statusCode()).as(call[0]).isEqualTo(200);
            ids.add(r.headers().firstValue("x-request-id").orElseThrow());
            if (!stream) {
                texts.add(text(call[0], Json.MAPPER.readTree(r.body())));
            }
        }
        if (!stream) {
            assertThat(texts.get(0)).isNotBlank();
            assertThat(texts).as("the same answer in every dialect").containsOnly(texts.get(0));
        }
        List<String> prompts = new ArrayList<>(harness.simA.stats().lastBodies());
        prompts.addAll(harness.simB.stats().lastBodies());
        assertThat(prompts.stream().map(DialectParityIT::prompt).distinct().toList())
                .as("the router got one and the same prompt three times").hasSize(1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(harness.usageEvents(id)).as(id).hasSize(1);
            }
        });
        List<String> records = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> row = harness.jdbi().withHandle(h -> h.createQuery("""
                    SELECT r.route, r.model_alias, r.status, r.http_status, r.stream, r.prompt_tokens,
                           r.completion_tokens, r.tokens_estimated, u.prompt_tokens AS u_prompt,
                           u.completion_tokens AS u_completion, u.total_tokens AS u_total
                    FROM request_logs r JOIN usage_events u USING (request_id) WHERE r.request_id = :id""")
                    .bind("id", id).mapToMap().one());
            routes.add((String) row.remove("route"));
            records.add(row.toString());
        }
        assertThat(routes).containsExactly("/v1/chat/completions", "/v1/responses", "/v1/messages");
        assertThat(records.get(0)).contains("status=completed").contains("model_alias=gemma-4");
        assertThat(records).as("the same usage record from every dialect").containsOnly(records.get(0));
    }

    private static String text(String route, JsonNode body) {
        return switch (route) {
            case "/v1/chat/completions" -> body.at("/choices/0/message/content").asText();
            case "/v1/responses" -> {
                for (JsonNode item : body.get("output")) {
                    if (item.path("type").asText().equals("message")) {
                        yield item.at("/content/0/text").asText();
                    }
                }
                yield "";
            }
            default -> {
                for (JsonNode block : body.get("content")) {
                    if (block.path("type").asText().equals("text")) {
                        yield block.path("text").asText();
                    }
                }
                yield "";
            }
        };
    }

    private static String prompt(String routerBody) {
        try {
            return Json.MAPPER.readTree(routerBody).path("prompt").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
