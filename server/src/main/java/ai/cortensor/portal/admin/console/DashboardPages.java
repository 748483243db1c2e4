package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.TrafficView;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The console's dashboard ({@code /admin/dashboard?window=1h|24h}, issue 14): requests, error rate, latency p50/p99
 * and tokens per model and per pool over the last hour or day, as server-rendered charts ({@link Charts}) and
 * tables, from the same {@link TrafficView} as {@code GET /admin/api/traffic}.
 */
public final class DashboardPages {
    /** Lines per chart: the busiest series; the tables below list every one. */
    static final int MAX_LINES = Charts.COLOURS;

    private final ConsoleGate gate;
    private final Operations ops;

    DashboardPages(ConsoleGate gate, Operations ops) {
        this.gate = gate;
        this.ops = ops;
    }

    void register(HttpRouting.Builder r) {
        r.get("/admin/dashboard", (req, res) -> gate.require(req, res).ifPresent(c -> show(req, res, c)));
    }

    /** One group of charts (by model or by pool): its legend, four charts and the table of totals. */
    public record Section(String id, String title, String legend, List<String> charts,
                          List<TrafficView.Series> rows) {}

    private void show(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String window = req.query().first("window").filter(w -> !w.isBlank()).orElse("1h");
        TrafficView t;
        try {
            t = ops.traffic(window);
        } catch (ActionRefused e) {
            gate.message(req, res, c, e.kind().status, "Dashboard", e.getMessage());
            return;
        }
        String per = t.bucketSeconds() == 60 ? "per minute" : "per " + t.bucketSeconds() / 60 + " min";
        String span = "1h".equals(t.window()) ? "last hour" : "last day";
        List<Section> sections = List.of(section("models", "By model", t.models(), t, per, span),
                section("pools", "By pool", t.pools(), t, per, span));
        gate.render(res, 200, "admin/dashboard.jte", gate.page(req, res, c, "Dashboard", "dashboard"),
                "t", t, "span", span, "sections", sections);
    }

    private static Section section(String id, String title, List<TrafficView.Series> all, TrafficView t, String per,
                                   String span) {
        List<TrafficView.Series> shown = all.subList(0, Math.min(MAX_LINES, all.size()));
        List<String> names = shown.stream().map(TrafficView.Series::name).toList();
        List<Charts.Line> requests = new ArrayList<>();
        List<Charts.Line> errors = new ArrayList<>();
        List<Charts.Line> latency = new ArrayList<>();
        List<Charts.Line> tokens = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            TrafficView.Series s = shown.get(i);
            requests.add(new Charts.Line(s.name(), i, Charts.values(s.buckets(), TrafficView.Stats::requests), false));
            errors.add(new Charts.Line(s.name(), i, Charts.values(s.buckets(), TrafficView.Stats::errorRate), false));
            latency.add(new Charts.Line(s.name() + " p50", i, Charts.values(s.buckets(), TrafficView.Stats::p50Ms), false));
            latency.add(new Charts.Line(s.name() + " p99", i, Charts.values(s.buckets(), TrafficView.Stats::p99Ms), true));
            tokens.add(new Charts.Line(s.name(), i, Charts.values(s.buckets(), TrafficView.Stats::tokens), false));
        }
        String of = title.toLowerCase(java.util.Locale.ROOT);
        List<String> charts = List.of(
                Charts.chart(id + "-requests", "Requests " + per, Charts.Unit.COUNT, t.buckets(), t.to(), requests,
                        totals(shown, s -> s.totals().requests() + " requests", span)),
                Charts.chart(id + "-errors", "Error rate", Charts.Unit.PERCENT, t.buckets(), t.to(), errors,
                        totals(shown, s -> s.totals().errorRate() == null ? "no requests tried"
                                : Charts.label(s.totals().errorRate(), Charts.Unit.PERCENT), span)),
                Charts.chart(id + "-latency", "Latency p50 and p99", Charts.Unit.MILLIS, t.buckets(), t.to(), latency,
                        totals(shown, s -> s.totals().p50Ms() == null ? "no completed requests"
                                : "p50 " + s.totals().p50Ms() + " ms, p99 " + s.totals().p99Ms() + " ms", span)),
                Charts.chart(id + "-tokens", "Tokens " + per, Charts.Unit.COUNT, t.buckets(), t.to(), tokens,
                        totals(shown, s -> s.totals().tokens() + " tokens", span)));
        String legend = shown.isEmpty() ? "" : Charts.legend(names, "latency: solid p50, dashed p99"
                + (all.size() > shown.size() ? "; the " + shown.size() + " busiest " + of.substring(3) + "s shown" : ""));
        return new Section(id, title, legend, charts, all);
    }

    private static String totals(List<TrafficView.Series> shown, java.util.function.Function<TrafficView.Series, String> f,
                                 String span) {
        if (shown.isEmpty()) {
            return "no requests in the " + span;
        }
        List<String> parts = new ArrayList<>();
        for (TrafficView.Series s : shown) {
            parts.add(s.name() + " " + f.apply(s));
        }
        return String.join("; ", parts) + " in the " + span;
    }
}
