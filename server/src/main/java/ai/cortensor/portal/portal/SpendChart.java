package ai.cortensor.portal.portal;

import ai.cortensor.portal.billing.Money;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Spend per day as a server-rendered stacked bar chart: inline SVG, no script. The bars stretch to their box
 * ({@code preserveAspectRatio="none"}) while the axis labels are HTML placed in percent, so the text stays readable
 * from a 375 px phone to a wide screen. Series colours come from CSS classes ({@code s0}…{@code s7}), so light and
 * dark mode both apply; each bar segment has a {@code <title>} (shown on hover) and the figure an {@code aria-label}
 * summing it up for screen readers. The table beside it carries the same numbers.
 */
final class SpendChart {
    static final int COLOURS = 8;
    private static final int W = 700;
    private static final int H = 220;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH);

    private SpendChart() {}

    /** One stacked series: its legend name and micro-USD per day (same length as the days). */
    record Series(String name, long[] micros) {
        long total() {
            long t = 0;
            for (long m : micros) {
                t += m;
            }
            return t;
        }
    }

    /** The chart's HTML ({@code <figure id=…>}); series are stacked bottom-up in the order given. */
    static String html(String id, String title, List<LocalDate> days, List<Series> series) {
        int n = days.size();
        long max = 0;
        long total = 0;
        for (int d = 0; d < n; d++) {
            long day = 0;
            for (Series s : series) {
                day += s.micros()[d];
            }
            max = Math.max(max, day);
            total += day;
        }
        long step = step(max);
        int ticks = (int) Math.max(1, (max + step - 1) / step);
        long top = step * ticks;
        StringBuilder b = new StringBuilder(8192);
        b.append("<figure class=\"spend-chart\" id=\"").append(id).append("\">");
        b.append("<figcaption class=\"sr\">").append(esc(title)).append("</figcaption>"); // the section's heading shows it
        b.append("<div class=\"plot\"><div class=\"y-axis\" aria-hidden=\"true\">");
        for (int i = 0; i <= ticks; i++) {
            b.append("<span style=\"bottom:").append(pct((double) i / ticks)).append("\">")
                    .append(i == 0 ? "$0" : esc(Money.usd(i * step))).append("</span>");
        }
        b.append("</div><div class=\"plot-area\">");
        String summary = title + ": " + Money.usd(total) + " over " + n + " day" + (n == 1 ? "" : "s") + " ("
                + days.getFirst() + " to " + days.getLast() + " UTC)" + (series.isEmpty() ? ", no spend" : "");
        b.append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"").append(esc(summary))
                .append("\">");
        for (int i = 1; i <= ticks; i++) {
            String y = num(H - (double) i / ticks * H);
            b.append("<line class=\"gridline\" x1=\"0\" x2=\"").append(W).append("\" y1=\"").append(y)
                    .append("\" y2=\"").append(y).append("\"/>");
        }
        double slot = (double) W / n;
        double bar = Math.max(1, slot * 0.72);
        for (int d = 0; d < n; d++) {
            double x = d * slot + (slot - bar) / 2;
            double base = H;
            for (int s = 0; s < series.size(); s++) {
                long v = series.get(s).micros()[d];
                if (v <= 0) {
                    continue;
                }
                double h = top == 0 ? 0 : (double) v / top * H;
                base -= h;
                b.append("<rect class=\"s").append(s % COLOURS).append("\" x=\"").append(num(x)).append("\" y=\"")
                        .append(num(base)).append("\" width=\"").append(num(bar)).append("\" height=\"")
                        .append(num(h)).append("\"><title>").append(esc(DAY.format(days.get(d)) + " · "
                                + series.get(s).name() + " · " + Money.usd(v))).append("</title></rect>");
            }
        }
        b.append("<line class=\"axis\" x1=\"0\" x2=\"").append(W).append("\" y1=\"").append(H).append("\" y2=\"")
                .append(H).append("\"/></svg><div class=\"x-axis\" aria-hidden=\"true\">");
        int every = n <= 7 ? 1 : n <= 31 ? 7 : 15;
        for (int d = 0, i = 0; d < n; d += every, i++) {
            double p = (d + 0.5) / n;
            // centred under its day, unless that would stick out of the plot; every other one is "minor" (hidden
            // on phones, where a week's seven labels would overlap)
            String align = p < 0.03 ? "start" : p > 0.97 ? "end" : "mid";
            b.append("<span class=\"").append(align).append(every == 1 && i % 2 == 1 ? " minor" : "")
                    .append("\" style=\"left:").append(pct(p)).append("\">").append(DAY.format(days.get(d)))
                    .append("</span>");
        }
        b.append("</div></div></div><ul class=\"legend\">");
        for (int s = 0; s < series.size(); s++) {
            b.append("<li><span class=\"spend-swatch s").append(s % COLOURS).append("\"></span>")
                    .append(esc(series.get(s).name())).append(" <span class=\"small\">")
                    .append(Money.usd(series.get(s).total())).append("</span></li>");
        }
        return b.append("</ul></figure>").toString();
    }

    /** 1, 2, 2.5 or 5 times a power of ten micro-USD, so that about four steps reach {@code max}. */
    static long step(long max) {
        double rough = max / 4.0;
        if (rough <= 1) {
            return 1;
        }
        long p = (long) Math.pow(10, Math.floor(Math.log10(rough)));
        for (long m10 : new long[] {10, 20, 25, 50, 100}) {
            long s = p * m10 / 10;
            if (s >= rough && s > 0) {
                return s;
            }
        }
        return p * 10;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    private static String pct(double p) {
        return String.format(Locale.ENGLISH, "%.3f%%", p * 100);
    }

    private static String num(double v) {
        return String.format(Locale.ENGLISH, "%.2f", v);
    }
}
