package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class StructuredOutputTest extends FamilyTestBase {

    static final String SYSTEM = "You are a concise assistant. Answer in one sentence.";
    static final String ASK_SCHEMA = "Respond with a single JSON value and nothing else, no prose and no code fences. "
            + "It must validate against this JSON Schema:";
    static final String ASK_OBJECT = "Respond with a single JSON object and nothing else, no prose and no code fences.";
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{"
            + "\"city\":{\"type\":\"string\"},"
            + "\"temp\":{\"type\":\"number\",\"minimum\":20},"
            + "\"count\":{\"type\":\"integer\"},"
            + "\"kind\":{\"type\":\"string\",\"enum\":[\"sunny\",\"rain\"]},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":2},"
            + "\"where\":{\"$ref\":\"#/$defs/place\"},"
            + "\"note\":{\"anyOf\":[{\"type\":\"null\"},{\"type\":\"string\"}]},"
            + "\"optional\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"city\",\"temp\",\"count\",\"kind\",\"tags\",\"where\",\"note\"],"
            + "\"additionalProperties\":false,"
            + "\"$defs\":{\"place\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"},"
            + "\"ok\":{\"type\":\"boolean\"}},\"required\":[\"lat\",\"ok\"],\"additionalProperties\":false}}}";

    /** The c02 prompt of {@code family} with the gateway's JSON request added to its system/developer text. */
    static String asking(String family, String ask) {
        return replaceOnce(prompt(family, "c02_system_user"), SYSTEM, SYSTEM + "\n" + ask);
    }

    /** The answer part of a completion: after the reasoning, before a stop token. */
    static String answerOf(String family, String text) {
        return switch (family) {
            case "qwen" -> text.substring(text.indexOf("</think>\n\n") + 10);
            case "oss" -> text.substring(text.indexOf("<|channel|>final<|message|>") + 27, text.length() - "<|return|>".length());
            default -> text;
        };
    }

    @Test
    void json_schema_request_gets_a_valid_value_after_the_reasoning_in_every_family() {
        for (String family : new String[] {"qwen", "oss", "gemma-4"}) {
            String text = complete(asking(family, ASK_SCHEMA + "\n" + SCHEMA)).text();

            JsonNode value = json(answerOf(family, text));
            assertThat(SchemaCheck.violations(value, json(SCHEMA))).as(family + ": " + text).isEmpty();
            assertThat(value.get("temp").asDouble()).isEqualTo(20.0);
            assertThat(value.get("tags")).hasSize(2);
            assertThat(value.has("optional")).isFalse();
        }
        assertThat(answerOf("qwen", complete(asking("qwen", ASK_SCHEMA + "\n" + SCHEMA)).text())).isEqualTo(
                "{\"city\":\"example\",\"temp\":20.0,\"count\":1,\"kind\":\"sunny\",\"tags\":[\"example\",\"example\"],"
                + "\"where\":{\"lat\":1.5,\"ok\":true},\"note\":\"example\"}");
    }

    @Test
    void json_object_request_gets_a_small_object() {
        for (String family : new String[] {"qwen", "oss", "gemma-4"}) {
            String answer = answerOf(family, complete(asking(family, ASK_OBJECT)).text());

            assertThat(answer).isEqualTo("{\"answer\":\"lorem ipsum dolor sit amet\"}");
        }
    }

    @Test
    void non_compliant_attempts_miss_a_required_property_then_the_model_complies() {
        sim.behave(Behavior.defaults().withJsonNonCompliantAttempts(2));
        String prompt = asking("oss", ASK_SCHEMA + "\n" + SCHEMA);

        JsonNode first = json(answerOf("oss", complete(prompt).text()));
        JsonNode second = json(answerOf("oss", stream(prompt, 0).text()));
        JsonNode third = json(answerOf("oss", complete(prompt).text()));

        assertThat(SchemaCheck.violations(first, json(SCHEMA))).containsExactly("$: missing required city");
        assertThat(second).isEqualTo(first);
        assertThat(SchemaCheck.violations(third, json(SCHEMA))).isEmpty();
        assertThat(complete(prompt("oss", "c01_single_user")).text()).endsWith(ANSWER + "<|return|>"); // not counted

        sim.behave(sim.behavior()); // counting restarts
        assertThat(json(answerOf("oss", complete(prompt).text())).has("city")).isFalse();
    }

    @Test
    void json_fault_can_be_prose_or_a_code_fence() {
        String prompt = asking("gemma-4", ASK_SCHEMA + "\n" + SCHEMA);
        sim.behave(Behavior.defaults().withJsonNonCompliantAttempts(1).withJsonFault(Behavior.JsonFault.PROSE));
        assertThat(complete(prompt).text()).isEqualTo("Sure, here it is: lorem ipsum dolor sit amet");

        sim.behave(Behavior.defaults().withJsonNonCompliantAttempts(1).withJsonFault(Behavior.JsonFault.CODE_FENCE));
        String fenced = complete(prompt).text();
        assertThat(fenced).startsWith("```json\n{\"city\":").endsWith("}\n```");
        assertThat(SchemaCheck.violations(json(fenced.substring(8, fenced.length() - 4)), json(SCHEMA))).isEmpty();

        sim.behave(Behavior.defaults().withJsonNonCompliantAttempts(1)); // nothing required: prose
        assertThat(complete(asking("gemma-4", ASK_OBJECT)).text()).startsWith("Sure, here it is:");
    }

    @Test
    void control_endpoint_sets_the_non_compliance_switch() {
        HttpResponse<String> put = client.put("/_sim/behavior", "{\"jsonNonCompliantAttempts\":1,\"jsonFault\":\"prose\"}");

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(sim.behavior().jsonFault()).isEqualTo(Behavior.JsonFault.PROSE);
        assertThat(answerOf("qwen", complete(asking("qwen", ASK_OBJECT)).text())).startsWith("Sure, here it is:");
        assertThat(answerOf("qwen", complete(asking("qwen", ASK_OBJECT)).text())).startsWith("{");
    }
}
