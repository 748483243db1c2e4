package ai.cortensor.portal.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {
    static final Instant FROM = Instant.parse("2026-03-01T10:00:00Z");

    static List<Instant> minutes(int n) {
        List<Instant> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(FROM.plus(Duration.ofMinutes(i)));
        }
        return out;
    }

    @Test
    void a_line_breaks_where_there_is_no_value_and_a_lone_value_is_a_dot() {
        String d = Charts.path(Arrays.asList(1, 2, null, 3, null), 5, 4);
        assertThat(d).isEqualTo("M60.00 150.00L180.00 100.00M420.00 50.00h0.01");
    }

    @Test
    void axis_steps_are_round_numbers_and_labels_are_short() {
        assertThat(Charts.niceStep(2.4, Charts.Unit.COUNT)).isEqualTo(5);
        assertThat(Charts.niceStep(0.3, Charts.Unit.COUNT)).isEqualTo(1);
        assertThat(Charts.niceStep(0.083, Charts.Unit.PERCENT)).isEqualTo(0.1);
        assertThat(Charts.niceStep(1200, Charts.Unit.MILLIS)).isEqualTo(2000);
        assertThat(Charts.label(1_250, Charts.Unit.COUNT)).isEqualTo("1.3k");
        assertThat(Charts.label(3_400_000, Charts.Unit.COUNT)).isEqualTo("3.4M");
        assertThat(Charts.label(0.125, Charts.Unit.PERCENT)).isEqualTo("12.5 %");
        assertThat(Charts.label(0.30000000000000004, Charts.Unit.PERCENT)).isEqualTo("30 %");
        assertThat(Charts.label(850, Charts.Unit.MILLIS)).isEqualTo("850 ms");
        assertThat(Charts.label(2_500, Charts.Unit.MILLIS)).isEqualTo("2.5 s");
    }

    @Test
    void a_chart_has_a_hover_title_per_bucket_a_faded_last_bucket_and_escapes_names() {
        List<Integer> values = new ArrayList<>(java.util.Collections.nCopies(60, 4));
        String html = Charts.chart("c", "Requests per minute", Charts.Unit.COUNT, minutes(60),
                FROM.plus(Duration.ofHours(1)), List.of(new Charts.Line("<qwen>", 0, values, false)), "<qwen> 240 requests");
        assertThat(html).contains("<rect class=\"hover\"").doesNotContain("<qwen>").contains("&lt;qwen&gt;");
        assertThat(html.split("<rect class=\"hover\"", -1)).hasSize(61);
        assertThat(html).contains("10:00 UTC · &lt;qwen&gt; 4");
        assertThat(html).contains("class=\"line c0 partial\"");
        assertThat(html).contains(">10:15</span>").contains(">10:45</span>").contains(">11:00</span>");
        assertThat(html).contains("aria-label=\"Requests per minute: &lt;qwen&gt; 240 requests\"");
    }
}
