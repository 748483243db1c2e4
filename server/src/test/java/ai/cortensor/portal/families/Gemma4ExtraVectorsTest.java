package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Edge cases beyond the shared vectors (schema shapes: nullable, union types, objects without properties, items
 * with extra keys, response declarations; argument value types and key order; turn continuation; calls without
 * results; unmatched result ids; trimming), each rendered by the official template: test resource
 * {@code gemma4/extra-rendered.json}, produced by {@code gemma4/generate.py}. All byte-exact.
 */
class Gemma4ExtraVectorsTest {
    static final JsonNode VECTORS = Vectors.load("gemma4/extra-rendered.json");

    static Stream<String> ids() {
        return StreamSupport.stream(VECTORS.get("cases").spliterator(), false).map(c -> c.get("id").asText());
    }

    static JsonNode byId(String id) {
        for (JsonNode c : VECTORS.get("cases")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException(id);
    }

    static Conversation conversation(JsonNode c) {
        List<Tool> tools = new ArrayList<>();
        for (JsonNode name : c.get("tools")) {
            ObjectNode def = (ObjectNode) VECTORS.get("tools").get(name.asText());
            JsonNode fn = def.get("function");
            tools.add(new Tool(fn.get("name").asText(), fn.hasNonNull("description") ? fn.get("description").asText()
                    : null, fn.has("parameters") ? fn.get("parameters")
                    : Vectors.parse("{\"type\":\"object\",\"properties\":{}}"), false, def));
        }
        JsonNode kw = c.get("template_kwargs");
        Boolean thinking = kw.has("enable_thinking") ? kw.get("enable_thinking").asBoolean() : null;
        return new Conversation(Vectors.messages(c.get("messages")), tools, ToolChoice.AUTO, true,
                ResponseFormat.TEXT, new Reasoning(null, thinking));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ids")
    void rendersAsTheOfficialTemplate(String id) {
        JsonNode c = byId(id);
        Rendered r = Families.GEMMA_4.render(conversation(c), Gemma4FamilyTest.TODAY);
        assertThat(r.prompt()).isEqualTo(c.get("prompt").asText());
    }
}
