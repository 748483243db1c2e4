package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.Accounting;
import ai.cortensor.portal.billing.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The spend page's chart: one bar per UTC day, stacked by model, drawn by the server as inline SVG in the style of
 * {@link Charts} (the dashboard's) — the plot stretches to its box, the axis labels are HTML placed in percent (readable from a
 * 375 px phone to a wide screen), colours are the CSS classes {@code c0}…{@code c7} (light and dark mode), each day
 * has a {@code <title>} with its total and every model's part, and the figure's {@code aria-label} sums it up.
 */
final class SpendChart {
    private static final int COLOURS = Charts.COLOURS;
    private static final int W = 600;
    private static final int H = 200;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH);

    private SpendChart() {}

    /** The models in the chart's colour order: the report's, most costly first. */
    static List<String> models(Accounting.SpendReport r) {
        return r.byModel().stream().map(Accounting.ModelSpend::model).toList();
    }

    static String legend(Accounting.SpendReport r) {
        StringBuilder b = new StringBuilder("<ul class=\"legend\">");
        List<String> models = models(r);
        for (int i = 0; i < models.size(); i++) {
            b.append("<li><span class=\"swatch c").append(i % COLOURS).append("\"></span>").append(esc(models.get(i)))
                    .append("</li>");
        }
        return b.append("</ul>").toString();
    }

    static String chart(Accounting.SpendReport r) {
        List<String> models = models(r);
        List<Accounting.DaySpend> days = r.byDay();
        int n = days.size();
        long max = days.stream().mapToLong(Accounting.DaySpend::costMicros).max().orElse(0);
        long step = niceStep(Math.max(1, (max + 2) / 3));
        int ticks = (int) Math.max(1, (max + step - 1) / step);
        long top = step * ticks;
        Accounting.DaySpend highest = days.stream().max(java.util.Comparator.comparingLong(
                Accounting.DaySpend::costMicros)).orElseThrow();
        String summary = Money.usd(r.costMicros()) + " over " + n + " days; highest " + Money.usd(highest.costMicros())
                + " on " + highest.day();
        StringBuilder b = new StringBuilder(8192);
        b.append("<figure class=\"chart-box\" id=\"spend-chart\"><figcaption>Spend per day (USD, UTC days)</figcaption>");
        b.append("<div class=\"plot\"><div class=\"y-axis\" aria-hidden=\"true\">");
        for (int i = 0; i <= ticks; i++) {
            b.append("<span style=\"bottom:").append(pct((double) i / ticks)).append("\">")
                    .append(esc(i == 0 ? "$0" : axis(i * step))).append("</span>");
        }
        b.append("</div><div class=\"plot-area\"><svg viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"")
                .append(esc("Spend per day: " + summary)).append("\">");
        for (int i = 0; i <= ticks; i++) {
            double y = H - (double) i / ticks * H;
            b.append("<line class=\"gridline\" x1=\"0\" x2=\"").append(W).append("\" y1=\"").append(num(y))
                    .append("\" y2=\"").append(num(y)).append("\"/>");
        }
        double bw = (double) W / n;
        double gap = Math.min(bw * 0.2, 6);
        for (int i = 0; i < n; i++) {
            Accounting.DaySpend d = days.get(i);
            double base = H;
            for (int m = 0; m < models.size(); m++) {
                Long cost = d.costByModel().get(models.get(m));
                if (cost == null || cost == 0) {
                    continue;
                }
                double h = (double) cost / top * H;
                b.append("<rect class=\"seg c").append(m % COLOURS).append("\" x=\"").append(num(i * bw + gap / 2))
                        .append("\" y=\"").append(num(base - h)).append("\" width=\"").append(num(bw - gap))
                        .append("\" height=\"").append(num(h)).append("\"/>");
                base -= h;
            }
            StringBuilder tip = new StringBuilder(d.day().toString()).append(" · ").append(Money.usd(d.costMicros()))
                    .append(" · ").append(d.requests()).append(d.requests() == 1 ? " request" : " requests");
            for (String model : models) {
                Long cost = d.costByModel().get(model);
                if (cost != null) {
                    tip.append(" · ").append(model).append(' ').append(Money.usd(cost));
                }
            }
            b.append("<rect class=\"hover\" x=\"").append(num(i * bw)).append("\" y=\"0\" width=\"").append(num(bw))
                    .append("\" height=\"").append(H).append("\"><title>").append(esc(tip.toString()))
                    .append("</title></rect>");
        }
        b.append("</svg><div class=\"x-axis\" aria-hidden=\"true\">");
        List<Integer> labels = labelled(n);
        int middle = labels.get(labels.size() / 2);
        for (int i : labels) {
            double p = (i + 0.5) / n;
            String align = p < 0.1 ? "start" : p > 0.9 ? "end" : "mid";
            // a phone keeps the first, the middle and the last day's labels ("minor" ones hide there)
            boolean minor = i != 0 && i != n - 1 && i != middle;
            b.append("<span class=\"").append(align).append(minor ? " minor" : "").append("\" style=\"left:").append(pct(align.equals("start") ? 0
                    : align.equals("end") ? 1 : p)).append("\">").append(DAY.format(days.get(i).day())).append("</span>");
        }
        b.append("</div></div></div></figure>");
        return b.toString();
    }

    /** The days that get an x-axis label: the first, the last, and about four between. */
    static List<Integer> labelled(int n) {
        List<Integer> out = new ArrayList<>();
        int every = Math.max(1, (int) Math.ceil((n - 1) / 5.0));
        for (int i = 0; i < n; i += every) {
            if (n - 1 - i >= every / 2 || i == 0) {
                out.add(i);
            }
        }
        if (n > 1 && !out.contains(n - 1)) {
            out.add(n - 1);
        }
        return out;
    }

    /** 1, 2, 2.5 or 5 times a power of ten micro-USD, at least {@code rough}. */
    static long niceStep(long rough) {
        long p = 1;
        while (p * 10 <= rough) {
            p *= 10;
        }
        for (long m : new long[] {10, 20, 25, 50, 100}) {
            long s = m * p / 10;
            if (s >= rough && s > 0) {
                return s;
            }
        }
        return 10 * p;
    }

    /** An axis value: "$0.50", "$12", "$1.2k"; small amounts keep their significant decimals ("$0.0002"). */
    static String axis(long micros) {
        BigDecimal usd = BigDecimal.valueOf(micros, 6);
        if (micros >= 1_000_000_000L) {
            return "$" + usd.divide(BigDecimal.valueOf(1000), 1, RoundingMode.HALF_UP).stripTrailingZeros()
                    .toPlainString() + "k";
        }
        if (micros >= 10_000_000L) {
            return "$" + usd.setScale(0, RoundingMode.HALF_UP).toPlainString();
        }
        return "$" + usd.stripTrailingZeros().setScale(Math.max(2, usd.stripTrailingZeros().scale()),
                RoundingMode.UNNECESSARY).toPlainString();
    }

    private static String pct(double p) {
        return String.format(Locale.ENGLISH, "%.3f%%", p * 100);
    }

    private static String num(double v) {
        return String.format(Locale.ENGLISH, "%.2f", v);
    }

    private static String esc(String s) {
        return Charts.esc(s);
    }
}
