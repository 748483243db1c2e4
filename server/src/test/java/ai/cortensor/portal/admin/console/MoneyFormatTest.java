package ai.cortensor.portal.admin.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.admin.Accounting;
import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.json.Json;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the console writes money: audit changes in USD, typed amounts to exact micro-USD, the spend chart. */
class MoneyFormatTest {

    @Test
    void a_grant_in_the_audit_log_reads_as_the_balance_before_and_after_in_usd() throws Exception {
        var before = Json.MAPPER.readTree("{\"balance_micros\": 0}");
        var after = Json.MAPPER.readTree("{\"balance_micros\": 25000000, \"amount_micros\": 25000000, \"ledger_entry\": 41}");
        assertThat(ConsoleFormat.change("billing.credit", before, after))
                .isEqualTo("balance $0.00 → $25.00 (+$25.00, ledger entry 41)");
        var down = Json.MAPPER.readTree("{\"balance_micros\": 21750000, \"amount_micros\": -3250000, \"ledger_entry\": 42}");
        assertThat(ConsoleFormat.change("billing.adjustment", after, down))
                .isEqualTo("balance $25.00 → $21.75 (-$3.25, ledger entry 42)");
    }

    @Test
    void a_price_change_reads_per_million_tokens_and_names_only_what_moved() throws Exception {
        var before = Json.MAPPER.readTree("{\"input_price\": 60000, \"output_price\": 240000, \"reasoning_price\": null}");
        var after = Json.MAPPER.readTree("{\"input_price\": 72500, \"output_price\": 240000, \"reasoning_price\": 500000}");
        assertThat(ConsoleFormat.change("model.prices", before, after))
                .isEqualTo("per million tokens: input $0.06 → $0.0725; output $0.24; reasoning as output → $0.50");
    }

    @Test
    void budgets_read_as_caps_and_other_actions_keep_their_json() throws Exception {
        var cap = Json.MAPPER.readTree("{\"period\": \"day\", \"cap_micros\": 5000000}");
        assertThat(ConsoleFormat.change("budget.set", null, cap)).isEqualTo("none → day cap $5.00");
        assertThat(ConsoleFormat.change("pool.drain", Json.MAPPER.readTree("{\"state\":\"live\"}"),
                Json.MAPPER.readTree("{\"state\":\"draining\"}")))
                .isEqualTo("{\"state\": \"live\"} → {\"state\": \"draining\"}");
        assertThat(ConsoleFormat.change("operator.create", null, null)).isEmpty();
    }

    @Test
    void typed_usd_becomes_exact_micro_usd_or_a_refusal_naming_the_field() {
        assertThat(BillingPages.usd("25", "Amount", true)).isEqualTo(25_000_000L);
        assertThat(BillingPages.usd(" $0.0725 ", "Input price", true)).isEqualTo(72_500L);
        assertThat(BillingPages.usd("-3.25", "Amount", true)).isEqualTo(-3_250_000L);
        assertThat(BillingPages.usd("", "Reasoning price", false)).isNull();
        assertThatThrownBy(() -> BillingPages.usd("0.0000001", "Input price", true))
                .isInstanceOf(ActionRefused.class).hasMessageContaining("Input price must be an amount in USD");
        assertThatThrownBy(() -> BillingPages.usd(null, "Output price", true))
                .isInstanceOf(ActionRefused.class).hasMessage("Output price is required.");
    }

    @Test
    void the_spend_chart_stacks_each_day_by_model_with_a_tooltip_and_escapes_names() {
        LocalDate from = LocalDate.of(2026, 12, 1);
        List<Accounting.DaySpend> days = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Long> byModel = new LinkedHashMap<>();
            if (i != 1) {
                byModel.put("qwen", 1_500_000L);
                byModel.put("<b>x</b>", 500_000L);
            }
            days.add(new Accounting.DaySpend(from.plusDays(i), i == 1 ? 0 : 3, i == 1 ? 0 : 2_000_000L, byModel));
        }
        var report = new Accounting.SpendReport(from, from.plusDays(2), null, 6, 4_000_000L,
                List.of(new Accounting.ModelSpend("qwen", 4, 10, 10, 3_000_000L),
                        new Accounting.ModelSpend("<b>x</b>", 2, 5, 5, 1_000_000L)), days, List.of());
        String svg = SpendChart.chart(report);
        assertThat(svg).contains("<rect class=\"seg c0\"").contains("<rect class=\"seg c1\"")
                .contains("<title>2026-12-01 · $2.00 · 3 requests · qwen $1.50 · &lt;b&gt;x&lt;/b&gt; $0.50</title>")
                .contains("<title>2026-12-02 · $0.00 · 0 requests</title>")
                .contains("aria-label=\"Spend per day: $4.00 over 3 days; highest $2.00 on 2026-12-01\"")
                .doesNotContain("<b>");
        assertThat(svg.split("class=\"seg ", -1)).hasSize(5); // two days × two models
        assertThat(SpendChart.legend(report)).contains("swatch c1\"></span>&lt;b&gt;x&lt;/b&gt;");
    }

    @Test
    void axis_steps_are_round_amounts_and_labels_read_as_dollars() {
        assertThat(SpendChart.niceStep(333)).isEqualTo(500);
        assertThat(SpendChart.niceStep(1)).isEqualTo(1);
        assertThat(SpendChart.niceStep(2_100_000)).isEqualTo(2_500_000);
        assertThat(SpendChart.axis(500_000)).isEqualTo("$0.50");
        assertThat(SpendChart.axis(20)).isEqualTo("$0.00002");
        assertThat(SpendChart.axis(25_000_000)).isEqualTo("$25");
        assertThat(SpendChart.axis(1_250_000_000L)).isEqualTo("$1.3k");
        assertThat(SpendChart.labelled(30)).containsExactly(0, 6, 12, 18, 24, 29);
        assertThat(SpendChart.labelled(1)).containsExactly(0);
        assertThat(SpendChart.labelled(7)).first().isEqualTo(0);
        assertThat(SpendChart.labelled(7)).last().isEqualTo(6);
    }
}
