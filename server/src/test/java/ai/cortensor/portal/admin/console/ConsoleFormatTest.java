package ai.cortensor.portal.admin;

import ai.cortensor.portal.admin.console.ConsoleFormat;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.json.Json;
import org.junit.jupiter.api.Test;

class ConsoleFormatTest {

    @Test
    void stored_json_gets_a_space_after_each_comma_and_colon_so_it_wraps_between_fields() throws Exception {
        var node = Json.MAPPER.readTree("{\"state\":\"active\",\"prefix\":\"ctsr_0jY6FpaUiAKW\",\"pools\":[\"a\",\"b\"],"
                + "\"note\":\"a, b: c\"}");
        assertThat(ConsoleFormat.json(node))
                .isEqualTo("{\"state\": \"active\", \"prefix\": \"ctsr_0jY6FpaUiAKW\", \"pools\": [\"a\", \"b\"], \"note\": \"a, b: c\"}");
        assertThat(ConsoleFormat.json(null)).isEmpty();
        assertThat(ConsoleFormat.json(Json.MAPPER.nullNode())).isEmpty();
    }

    @Test
    void reset_times_read_in_days_and_hours() {
        assertThat(ConsoleFormat.resetsIn(167L * 3600 + 31 * 60)).isEqualTo("in 6 d 23 h");
        assertThat(ConsoleFormat.resetsIn(192L)).isEqualTo("in 3 min 12 s");
        assertThat(ConsoleFormat.resetsIn(null)).isEqualTo("—");
    }
}
