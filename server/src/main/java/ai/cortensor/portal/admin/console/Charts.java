package ai.cortensor.portal.admin.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Server-rendered line charts for the console's dashboard: inline SVG, no script. The plot stretches to its box
 * ({@code preserveAspectRatio="none"}, strokes that do not scale), while the axis labels are HTML placed in percent,
 * so text stays crisp and readable from a 375 px phone to a wide screen. Colours come from CSS classes ({@code c0}…
 * {@code c7}), so light and dark mode both apply. Each time bucket carries a {@code <title>} with every series' value,
 * shown on hover; the figure's {@code aria-label} sums the series up for screen readers.
 */
public final class Charts {
    static final int COLOURS = 8;
    private static final int W = 600;
    private static final int H = 200;
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private Charts() {}

    /** What a chart's values are: request or token counts, a fraction shown as percent, or milliseconds. */
    public enum Unit { COUNT, PERCENT, MILLIS }

    /** One line: its legend name, colour index, values per bucket (null where there is no value) and style. */
    public record Line(String name, int colour, List<? extends Number> values, boolean dashed) {}

    /**
     * The chart's HTML ({@code <figure>}); {@code id} must be unique on the page. The last bucket is the one still
     * filling (the current minute), so its stretch of each line is drawn faded: a drop there is not yet a drop.
     */
    public static String chart(String id, String title, Unit unit, List<Instant> buckets, Instant to, List<Line> lines,
                               String summary) {
        int n = buckets.size();
        double max = 0;
        for (Line l : lines) {
            for (Number v : l.values()) {
                if (v != null) {
                    max = Math.max(max, v.doubleValue());
                }
            }
        }
        double step = niceStep(max / 3, unit);
        int ticks = (int) Math.max(1, Math.ceil(max / step - 1e-9));
        double top = step * ticks;
        StringBuilder b = new StringBuilder(4096);
        b.append("<figure class=\"chart-box\" id=\"").append(id).append("\">");
        b.append("<figcaption>").append(esc(title)).append("</figcaption>");
        b.append("<div class=\"plot\"><div class=\"y-axis\" aria-hidden=\"true\">");
        for (int i = 0; i <= ticks; i++) {
            double t = i * step;
            b.append("<span style=\"bottom:").append(pct(t / top)).append("\">").append(i == 0 ? "0" : esc(label(t, unit)))
                    .append("</span>");
        }
        b.append("</div><div class=\"plot-area\">");
        b.append("<svg viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"").append(esc(title + ": " + summary))
                .append("\">");
        for (int i = 0; i <= ticks; i++) {
            double y = y(i * step, top);
            b.append("<line class=\"gridline\" x1=\"0\" x2=\"").append(W).append("\" y1=\"").append(num(y))
                    .append("\" y2=\"").append(num(y)).append("\"/>");
        }
        for (Line l : lines) {
            String cls = "line c" + l.colour() % COLOURS + (l.dashed() ? " dashed" : "");
            List<? extends Number> v = l.values();
            b.append("<path class=\"").append(cls).append("\" d=\"").append(path(v.subList(0, Math.max(0, n - 1)), n, top))
                    .append("\"><title>").append(esc(l.name())).append("</title></path>");
            if (n > 0 && v.get(n - 1) != null) {
                List<Number> last = new ArrayList<>(java.util.Collections.nCopies(n, (Number) null));
                last.set(n - 1, v.get(n - 1));
                if (n > 1) {
                    last.set(n - 2, v.get(n - 2));
                }
                b.append("<path class=\"").append(cls).append(" partial\" d=\"").append(path(last, n, top))
                        .append("\"><title>").append(esc(l.name() + " (this bucket is still filling)"))
                        .append("</title></path>");
            }
        }
        double bw = (double) W / n;
        for (int i = 0; i < n; i++) {
            StringBuilder tip = new StringBuilder(HH_MM.format(buckets.get(i))).append(" UTC");
            for (Line l : lines) {
                Number v = l.values().get(i);
                tip.append(" · ").append(l.name()).append(' ').append(v == null ? "—" : label(v.doubleValue(), unit));
            }
            b.append("<rect class=\"hover\" x=\"").append(num(i * bw)).append("\" y=\"0\" width=\"").append(num(bw))
                    .append("\" height=\"").append(H).append("\"><title>").append(esc(tip.toString()))
                    .append("</title></rect>");
        }
        b.append("</svg><div class=\"x-axis\" aria-hidden=\"true\">");
        Instant from = buckets.isEmpty() ? to : buckets.get(0);
        long span = Duration.between(from, to).toMillis();
        Duration tick = span <= Duration.ofHours(2).toMillis() ? Duration.ofMinutes(15) : Duration.ofHours(6);
        long first = (from.toEpochMilli() / tick.toMillis() + 1) * tick.toMillis();
        for (long t = first; t <= to.toEpochMilli(); t += tick.toMillis()) {
            double p = (double) (t - from.toEpochMilli()) / span;
            String align = p < 0.1 ? "start" : p > 0.9 ? "end" : "mid";
            b.append("<span class=\"").append(align).append("\" style=\"left:").append(pct(p)).append("\">")
                    .append(HH_MM.format(Instant.ofEpochMilli(t))).append("</span>");
        }
        b.append("</div></div></div></figure>");
        return b.toString();
    }

    /** The legend of a set of charts: one swatch per series, plus the line styles when {@code styles} is not null. */
    public static String legend(List<String> names, String styles) {
        StringBuilder b = new StringBuilder("<ul class=\"legend\">");
        for (int i = 0; i < names.size(); i++) {
            b.append("<li><span class=\"swatch c").append(i % COLOURS).append("\"></span>").append(esc(names.get(i)))
                    .append("</li>");
        }
        if (styles != null) {
            b.append("<li class=\"styles\">").append(esc(styles)).append("</li>");
        }
        return b.append("</ul>").toString();
    }

    /** Connected runs of values as one path; a lone value is a dot (a zero-length line with round caps). */
    static String path(List<? extends Number> values, int n, double top) {
        StringBuilder d = new StringBuilder();
        double bw = (double) W / n;
        boolean open = false;
        int count = values.size();
        for (int i = 0; i < count; i++) {
            Number v = values.get(i);
            if (v == null) {
                open = false;
                continue;
            }
            double x = (i + 0.5) * bw;
            double y = y(v.doubleValue(), top);
            boolean alone = !open && (i + 1 >= count || values.get(i + 1) == null);
            d.append(open ? 'L' : 'M').append(num(x)).append(' ').append(num(y));
            if (alone) {
                d.append("h0.01");
            }
            open = true;
        }
        return d.toString();
    }

    private static double y(double v, double top) {
        return H - (top == 0 ? 0 : v / top * H);
    }

    /** 1, 2, 2.5 or 5 times a power of ten (whole numbers for counts and milliseconds), at least {@code rough}. */
    static double niceStep(double rough, Unit unit) {
        double min = unit == Unit.PERCENT ? 0.01 : 1;
        if (rough <= min) {
            return min;
        }
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            double s = m * p;
            if (s >= rough && (unit == Unit.PERCENT || s == Math.rint(s))) {
                return s;
            }
        }
        return 10 * p;
    }

    /** A value as the axis and tooltips write it: 950, 1.2k, 3.4M; 2.5 %; 180 ms, 1.2 s. */
    public static String label(double v, Unit unit) {
        return switch (unit) {
            case PERCENT -> {
                double pc = v * 100;
                yield (Math.abs(pc - Math.rint(pc)) < 1e-6 ? String.format(Locale.ENGLISH, "%.0f", pc)
                        : String.format(Locale.ENGLISH, "%.1f", pc)) + " %";
            }
            case MILLIS -> v >= 1000 ? compact(v / 1000) + " s" : String.format(Locale.ENGLISH, "%.0f", v) + " ms";
            case COUNT -> v >= 1e9 ? compact(v / 1e9) + "G" : v >= 1e6 ? compact(v / 1e6) + "M"
                    : v >= 1e3 ? compact(v / 1e3) + "k" : String.format(Locale.ENGLISH, "%.0f", v);
        };
    }

    private static String compact(double v) {
        return v >= 100 || Math.abs(v - Math.rint(v)) < 1e-9 ? String.format(Locale.ENGLISH, "%.0f", v)
                : String.format(Locale.ENGLISH, "%.1f", v);
    }

    private static String pct(double p) {
        return String.format(Locale.ENGLISH, "%.3f%%", p * 100);
    }

    private static String num(double v) {
        return String.format(Locale.ENGLISH, "%.2f", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
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

    /** Values of one measure per bucket, for building {@link Line}s. */
    static <T> List<Number> values(List<T> buckets, java.util.function.Function<T, ? extends Number> measure) {
        List<Number> out = new ArrayList<>(buckets.size());
        for (T b : buckets) {
            out.add(measure.apply(b));
        }
        return out;
    }
}
