package ai.cortensor.portal.portal;

import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.usage.SpendReports;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage page's spend section from spend per day: the stacked chart ({@link SpendChart}), one row per model or
 * key with its share, and one row per day and model or key. The seven biggest series keep their own colour; the rest
 * are summed as "Other".
 */
final class SpendView {
    private static final int OWN_COLOURS = SpendChart.COLOURS - 1;

    private SpendView() {}

    static Views.SpendByDay of(List<SpendReports.DaySpend> spend, LocalDate from, LocalDate to, SpendReports.By by,
                          List<KeyStore.Listing> keys) {
        Map<String, String> keyNames = new HashMap<>();
        for (KeyStore.Listing k : keys) {
            keyNames.put(Long.toString(k.id()), k.name() + " (" + k.prefix() + "_…)");
        }
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            days.add(d);
        }
        Map<String, long[]> totals = new LinkedHashMap<>(); // series → requests, tokens, cost
        for (SpendReports.DaySpend d : spend) {
            long[] t = totals.computeIfAbsent(d.series(), s -> new long[3]);
            t[0] += d.requests();
            t[1] += d.promptTokens() + d.completionTokens();
            t[2] += d.costMicros();
        }
        List<String> order = new ArrayList<>(totals.keySet());
        order.sort(Comparator.comparingLong((String s) -> -totals.get(s)[2]).thenComparing(s -> s));
        Map<String, Integer> colour = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            colour.put(order.get(i), Math.min(i, OWN_COLOURS));
        }
        int seriesCount = Math.min(order.size(), SpendChart.COLOURS);
        List<SpendChart.Series> series = new ArrayList<>();
        for (int i = 0; i < seriesCount; i++) {
            boolean other = i == OWN_COLOURS && order.size() > SpendChart.COLOURS;
            series.add(new SpendChart.Series(other ? "Other" : name(order.get(i), by, keyNames), new long[days.size()]));
        }
        for (SpendReports.DaySpend d : spend) {
            int idx = (int) java.time.temporal.ChronoUnit.DAYS.between(from, d.day());
            if (idx >= 0 && idx < days.size()) {
                series.get(colour.get(d.series())).micros()[idx] += d.costMicros();
            }
        }
        long total = totals.values().stream().mapToLong(t -> t[2]).sum();
        List<Views.SpendSeries> rows = new ArrayList<>();
        for (String s : order) {
            long[] t = totals.get(s);
            rows.add(new Views.SpendSeries(name(s, by, keyNames), colour.get(s), t[0], t[1], Money.usd(t[2]),
                    total == 0 ? "—" : Math.round(t[2] * 1000.0 / total) / 10.0 + " %"));
        }
        List<Views.SpendDay> perDay = new ArrayList<>();
        for (int i = spend.size() - 1; i >= 0; i--) {
            SpendReports.DaySpend d = spend.get(i);
            perDay.add(new Views.SpendDay(d.day().toString(), name(d.series(), by, keyNames), d.requests(),
                    d.promptTokens() + d.completionTokens(), Money.usd(d.costMicros())));
        }
        String title = "Spend per day by " + (by == SpendReports.By.MODEL ? "model" : "key");
        return new Views.SpendByDay(by == SpendReports.By.MODEL ? "model" : "key", Money.usd(total),
                SpendChart.html("spend-chart", title, days, series), rows, perDay);
    }

    private static String name(String series, SpendReports.By by, Map<String, String> keyNames) {
        if (by == SpendReports.By.MODEL) {
            return series;
        }
        return keyNames.getOrDefault(series, "key #" + series);
    }
}
