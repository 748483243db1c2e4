package ai.cortensor.portal.dialects.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiShapesTest {
    private static final String[] TEXTS = {"lorem ", "", "quote \" and back\\slash", "line\nbreak\ttab\r\u0000\u001f",
        "\u0001 the marker itself", "ünïcødé 日本語 😀 \u2028\u2029", "</script><|im_end|>", "{\"json\":[1,2]}"};

    /**
     * Byte for byte, except that the generator escapes characters outside the BMP as surrogate pairs and the
     * template writes them as UTF-8: both are the same JSON string.
     */
    @Test
    void content_chunks_after_the_first_are_what_the_generator_writes() throws Exception {
        for (Route route : Route.values()) {
            for (boolean usage : new boolean[] {false, true}) {
                OpenAiShapes shapes = new OpenAiShapes(route, "req_01ABC", 1_700_000_000L, "qwen", usage);
                shapes.delta("first", true);
                for (String text : TEXTS) {
                    String expected = new String(new OpenAiShapes(route, "req_01ABC", 1_700_000_000L, "qwen", usage)
                            .deltaFrame(text, false), StandardCharsets.UTF_8);
                    String actual = new String(shapes.delta(text, false), StandardCharsets.UTF_8);
                    assertThat(Json.MAPPER.readTree(actual.substring(6)))
                            .as("%s usage=%s %s", route, usage, text).isEqualTo(Json.MAPPER.readTree(expected.substring(6)));
                    assertThat(actual).startsWith("data: ").endsWith("}\n\n");
                    if (text.codePoints().allMatch(Character::isBmpCodePoint)) {
                        assertThat(actual).as("%s usage=%s %s", route, usage, text).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void the_first_chat_chunk_carries_the_assistant_role_and_later_ones_do_not() {
        OpenAiShapes shapes = new OpenAiShapes(Route.CHAT, "req_01ABC", 1L, "qwen", false);
        assertThat(new String(shapes.delta("a", true), StandardCharsets.UTF_8))
                .contains("\"delta\":{\"role\":\"assistant\",\"content\":\"a\"}");
        assertThat(new String(shapes.delta("b", false), StandardCharsets.UTF_8))
                .startsWith("data: {\"id\":\"chatcmpl-01ABC\",\"object\":\"chat.completion.chunk\"")
                .contains("\"delta\":{\"content\":\"b\"}").endsWith("}\n\n");
    }
}
