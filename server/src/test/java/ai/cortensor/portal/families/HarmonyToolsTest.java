package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schema shapes the vectors do not cover, rendered as the official template renders them (each expected string was
 * produced by jinja2 3.1.6 from the official template with the gateway's environment; quirks included).
 */
class HarmonyToolsTest {
    private static String declaration(String properties) {
        JsonNode props = HarmonyInjectionTest.json(properties);
        String first = props.fieldNames().next();
        JsonNode params = HarmonyInjectionTest.json("{\"type\":\"object\",\"properties\":" + properties
                + ",\"required\":[\"" + first + "\"]}");
        String ns = HarmonyTools.namespace(List.of(new Tool("t", "d", params, false, Vectors.MAPPER.createObjectNode())));
        return ns.substring(ns.indexOf("type t = "), ns.indexOf("\n\n} // namespace"));
    }

    @Test
    void numbersBeyondTheDoubleRangeAreTruthyAsInPythonAndRenderAsInfinity() {
        // 1e400 reads as an infinite double, which used to throw NumberFormatException while rendering (a fuzz finding)
        assertThat(declaration("{\"a\":{\"type\":\"string\",\"nullable\":1e400,\"default\":-1e400},"
                + "\"b\":{\"type\":\"string\",\"nullable\":-0.0}}"))
                .isEqualTo("type t = (_: {\na: string | null, // default: -Infinity,\nb?: string,\n}) => any;");
        JsonNode params = HarmonyInjectionTest.json("{\"type\":\"object\",\"properties\":{\"c\":{\"type\":\"string\"}},"
                + "\"required\":1e400}");
        assertThat(HarmonyTools.namespace(List.of(new Tool("t", "d", params, false, Vectors.MAPPER.createObjectNode()))))
                .contains("c?: string");
    }

    @Test
    void nullableAndUnionTypes() {
        assertThat(declaration("{\"a\":{\"type\":\"string\",\"nullable\":true},\"b\":{\"type\":[\"string\",\"null\"]},"
                + "\"c\":{\"type\":[\"integer\"]},\"d\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"},"
                + "\"nullable\":true}}"))
                .isEqualTo("type t = (_: {\na: string | null,\nb?: string | null,\nc?: integer,\nd?: number[] | null,\n"
                        + "}) => any;");
    }

    @Test
    void oneOfVariantsKeepTheTemplatesCommentAndLineBreakQuirks() {
        assertThat(declaration("{\"v\":{\"oneOf\":[{\"type\":\"string\",\"description\":\"a name\"},{\"type\":\"integer\","
                + "\"default\":3},{\"type\":\"object\"}],\"description\":\"either\",\"default\":\"x\"}}"))
                .isEqualTo("type t = (_: {\n// either\nv: string// a name | \nnumber                    // default: 3 | \n"
                        + "object// default: x,\n}) => any;");
    }

    @Test
    void arraysOfShortObjectsAndNestedArrays() {
        assertThat(declaration("{\"pts\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"x\":"
                + "{\"type\":\"number\"}},\"required\":[\"x\"]}},\"m\":{\"type\":\"array\",\"items\":{\"type\":\"array\","
                + "\"items\":{\"type\":\"string\"}}},\"u\":{\"type\":\"array\"},\"o\":{\"type\":\"array\",\"items\":"
                + "{\"type\":[\"object\",\"object\"]}}}"))
                .isEqualTo("type t = (_: {\npts: {\nx: \n                number}[],\nm?: string[][],\nu?: any[],\n"
                        + "o?: any[],\n}) => any;");
    }

    @Test
    void defaultsAreTojsonedAndUntypedPropertiesAreAny() {
        assertThat(declaration("{\"flag\":{\"type\":\"boolean\",\"default\":false},\"ratio\":{\"type\":\"number\","
                + "\"default\":0.5},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"default\":[\"a\",\"b\"]},"
                + "\"obj\":{\"type\":\"object\",\"default\":null},\"free\":{}}"))
                .isEqualTo("type t = (_: {\nflag: boolean, // default: false,\nratio?: number, // default: 0.5,\n"
                        + "tags?: string[], // default: [\"a\", \"b\"],\nobj?: object, // default: null,\nfree?: any,\n"
                        + "}) => any;");
    }

    @Test
    void aToolWithoutDescriptionHasNoCommentLineWhereTheTemplateWouldRaise() {
        String ns = HarmonyTools.namespace(List.of(new Tool("bare", null,
                HarmonyInjectionTest.json("{\"type\":\"object\",\"properties\":{}}"), false,
                Vectors.MAPPER.createObjectNode())));
        assertThat(ns).isEqualTo("## functions\n\nnamespace functions {\n\ntype bare = () => any;\n\n} // namespace functions");
    }
}
