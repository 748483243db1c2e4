package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.QwenFamilyTest.QWEN;
import static ai.cortensor.portal.families.QwenFamilyTest.TODAY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Edge shapes beyond the shared vectors (qwen/extra-cases.json: conversations plus the prompt the official template
 * renders for them, generated with jinja2 as render.py does), none with control tokens, so ours must match exactly.
 */
class QwenExtraCasesTest {
    static Stream<Arguments> cases() {
        JsonNode all = Vectors.load("qwen/extra-cases.json").get("cases");
        List<Arguments> out = new ArrayList<>();
        all.fields().forEachRemaining(e -> out.add(Arguments.of(e.getKey(), e.getValue())));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void renders_edge_shapes_like_the_official_template(String name, JsonNode c) {
        JsonNode catalog = Vectors.load("chat-templates/cases.json").get("tools");
        List<Tool> tools = new ArrayList<>();
        for (JsonNode n : c.path("tools")) {
            ObjectNode def = (ObjectNode) catalog.get(n.asText());
            tools.add(new Tool(n.asText(), null, def.get("function").get("parameters"), false, def));
        }
        JsonNode kw = c.path("kwargs");
        Reasoning r = new Reasoning(null, kw.has("enable_thinking") ? kw.get("enable_thinking").asBoolean() : null);
        Conversation conv = new Conversation(Vectors.messages(c.get("messages")), tools, ToolChoice.AUTO, true,
                ResponseFormat.TEXT, r);
        assertThat(QWEN.render(conv, TODAY).prompt()).isEqualTo(c.get("prompt").asText());
    }
}
