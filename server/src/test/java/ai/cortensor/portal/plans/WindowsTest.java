package ai.cortensor.portal.plans;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowsTest {

    @Test
    void a_week_long_wait_reads_in_days_and_hours_never_as_hundreds_of_hours() {
        assertThat(Windows.readable(Duration.ofHours(167).plusMinutes(31))).isEqualTo("6 d 23 h");
        assertThat(Windows.readable(Duration.ofDays(7))).isEqualTo("7 d");
        assertThat(Windows.readable(Duration.ofDays(1).plusMinutes(59))).isEqualTo("1 d");
        assertThat(Windows.readable(Duration.ofDays(400).plusHours(1))).isEqualTo("400 d 1 h");
    }

    @Test
    void shorter_waits_read_in_their_two_largest_units() {
        assertThat(Windows.readable(Duration.ofHours(2).plusMinutes(5).plusSeconds(40))).isEqualTo("2 h 5 min");
        assertThat(Windows.readable(Duration.ofHours(23).plusMinutes(59).plusSeconds(59))).isEqualTo("23 h 59 min");
        assertThat(Windows.readable(Duration.ofHours(1))).isEqualTo("1 h");
        assertThat(Windows.readable(Duration.ofMinutes(3).plusSeconds(12))).isEqualTo("3 min 12 s");
        assertThat(Windows.readable(Duration.ofMinutes(59).plusSeconds(59).plusMillis(900))).isEqualTo("59 min 59 s");
        assertThat(Windows.readable(Duration.ofMinutes(1))).isEqualTo("1 min");
    }

    @Test
    void waits_under_a_minute_round_up_to_whole_seconds() {
        assertThat(Windows.readable(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(Windows.readable(Duration.ofMillis(59_001))).isEqualTo("1 min");
        assertThat(Windows.readable(Duration.ofMillis(12))).isEqualTo("1 s");
        assertThat(Windows.readable(Duration.ZERO)).isEqualTo("0 s");
        assertThat(Windows.readable(Duration.ofSeconds(-5))).isEqualTo("0 s");
    }

    @Test
    void rate_limit_headers_keep_openais_compact_form() {
        assertThat(Windows.header(Duration.ofHours(167).plusMinutes(31))).isEqualTo("167h31m0s");
        assertThat(Windows.header(Duration.ofMillis(12))).isEqualTo("12ms");
        assertThat(Windows.header(Duration.ofSeconds(360))).isEqualTo("6m0s");
    }

    @Test
    void windows_are_named_in_whole_units() {
        assertThat(Windows.human(Duration.ofDays(7))).isEqualTo("1 week");
        assertThat(Windows.human(Duration.ofMinutes(5))).isEqualTo("5 minutes");
    }
}
