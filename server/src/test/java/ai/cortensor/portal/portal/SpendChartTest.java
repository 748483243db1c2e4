package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpendChartTest {
    private static final List<LocalDate> WEEK = LocalDate.parse("2026-12-02").datesUntil(LocalDate.parse("2026-12-09"))
            .toList();

    @Test
    void steps_are_round_amounts_about_a_quarter_of_the_tallest_day() {
        assertThat(SpendChart.step(0)).isEqualTo(1);
        assertThat(SpendChart.step(83)).isEqualTo(25);
        assertThat(SpendChart.step(1_000_000)).isEqualTo(250_000);
        assertThat(SpendChart.step(7_300_000)).isEqualTo(2_000_000);
    }

    @Test
    void days_stack_their_series_with_a_title_each_and_the_figure_sums_them_up_without_script() {
        long[] a = new long[7];
        long[] b = new long[7];
        a[6] = 60;
        b[6] = 20;
        b[0] = 5;
        String html = SpendChart.html("c", "Spend per day by model", WEEK,
                List.of(new SpendChart.Series("oss-120b", a), new SpendChart.Series("<qwen>", b)));
        assertThat(html).doesNotContain("<script").doesNotContain("<qwen>").contains("&lt;qwen&gt;");
        assertThat(html.split("<rect", -1)).as("one segment per non-zero day and series").hasSize(4);
        assertThat(html).contains("aria-label=\"Spend per day by model: $0.000085 over 7 days (2026-12-02 to "
                + "2026-12-08 UTC)\"");
        assertThat(html).contains("<title>8 Dec · oss-120b · $0.00006</title>");
        assertThat(html).contains("class=\"spend-swatch s1\"");
        assertThat(html.split("class=\"mid minor\"", -1)).as("every other day label is hidden on phones").hasSize(4);
    }

    @Test
    void a_range_without_spend_still_draws_its_axes() {
        String html = SpendChart.html("c", "Spend per day by key", WEEK, List.of());
        assertThat(html).contains("no spend").contains("$0").doesNotContain("<rect");
    }
}
