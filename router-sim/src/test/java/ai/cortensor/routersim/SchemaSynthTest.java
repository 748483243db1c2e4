package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SchemaSynthTest {

    static JsonNode synth(String schema, String userText) {
        return new SchemaSynth(userText, Set.of()).value(SimClient.json(schema));
    }

    @Test
    void values_follow_types_enums_bounds_and_formats() {
        assertThat(synth("{\"type\":\"integer\",\"minimum\":3}", "")).hasToString("3");
        assertThat(synth("{\"type\":\"number\",\"maximum\":1}", "")).hasToString("1.0");
        assertThat(synth("{\"type\":\"boolean\"}", "")).hasToString("true");
        assertThat(synth("{\"enum\":[2,3]}", "")).hasToString("2");
        assertThat(synth("{\"type\":[\"null\",\"string\"],\"minLength\":9}", "")).hasToString("\"examplexx\"");
        assertThat(synth("{\"type\":\"string\",\"format\":\"date-time\"}", "")).hasToString("\"2026-11-30T12:00:00Z\"");
        assertThat(synth("{\"type\":\"array\",\"maxItems\":0}", "")).hasToString("[]");
        assertThat(synth("{\"type\":\"array\",\"minItems\":3,\"items\":{\"const\":\"k\"}}", ""))
                .hasToString("[\"k\",\"k\",\"k\"]");
    }

    @Test
    void objects_get_required_properties_in_required_order_and_optional_enums_only() {
        JsonNode v = synth("{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"string\"},\"a\":{\"type\":\"integer\"},"
                + "\"c\":{\"type\":\"string\",\"enum\":[\"x\",\"y\"]},\"d\":{\"type\":\"string\"}},\"required\":[\"a\",\"b\"]}", "");
        JsonNode free = synth("{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"boolean\"}}}", "");

        assertThat(v).hasToString("{\"a\":1,\"b\":\"example\",\"c\":\"x\"}");
        assertThat(free).hasToString("{\"p\":true}");
    }

    @Test
    void strings_take_quoted_text_capitalised_words_and_dates_from_the_user() {
        assertThat(SchemaSynth.hints("Tell Zo\u00eb that \"the meeting moved\". Then ask Bob. I said hi to SFO.", Set.of("SFO")))
                .containsExactly("Zo\u00eb", "the meeting moved", "Bob");
        JsonNode v = synth("{\"type\":\"object\",\"properties\":{\"to\":{\"type\":\"string\"},\"when_date\":"
                + "{\"type\":\"string\"},\"body\":{\"type\":\"string\"}},\"required\":[\"to\",\"when_date\",\"body\"]}",
                "Tell Zo\u00eb \"hello\" on 2027-01-02.");

        assertThat(v).hasToString("{\"to\":\"Zo\u00eb\",\"when_date\":\"2027-01-02\",\"body\":\"hello\"}");
    }
}
