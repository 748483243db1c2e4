package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.List;

/** The usage page (chart and recent requests, filtered by key and model) and its CSV export. */
final class UsagePages {
    private static final int RECENT = 100;
    private static final int CSV_ROWS = 10_000;

    private final Gate gate;
    private final Html html;
    private final CustomerKeys keys;
    private final UsageReports usage;
    private final Catalog catalog;
    private final InstantSource clock;

    UsagePages(Gate gate, Html html, CustomerKeys keys, UsageReports usage, Catalog catalog, InstantSource clock) {
        this.gate = gate;
        this.html = html;
        this.keys = keys;
        this.usage = usage;
        this.catalog = catalog;
        this.clock = clock;
    }

    void register(ConsolePages console, HttpRouting.Builder r) {
        console.signedIn(r, "/portal/usage", false, this::page);
        console.signedIn(r, "/portal/usage.csv", false, this::csv);
    }

    record Filter(UsageReports.Scope scope, int days, String query) {}

    /** Filters from the query; a key id not of this account matches nothing (never another account's data). */
    Filter filter(ServerRequest req, Sessions.Current c) {
        Long key = req.query().first("key").map(s -> s.isBlank() ? null : parseLong(s)).orElse(null);
        if (key != null && keys.find(c.account(), key.toString()).isEmpty()) {
            key = -1L;
        }
        String model = req.query().first("model").filter(s -> !s.isBlank()).orElse(null);
        int days = req.query().first("days").map(UsagePages::parseDays).orElse(7);
        String query = "days=" + days + (key == null ? "" : "&key=" + key)
                + (model == null ? "" : "&model=" + java.net.URLEncoder.encode(model, StandardCharsets.UTF_8));
        return new Filter(new UsageReports.Scope(c.user().id(), c.account().organizationId(), key, model), days, query);
    }

    private void page(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Filter f = filter(req, c);
        LocalDate today = UsageReports.utcDay(clock.instant());
        List<UsageReports.Day> days = usage.daily(f.scope(), today.minusDays(f.days() - 1), today);
        var totals = usage.totals(f.scope(), today.minusDays(f.days() - 1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        var view = new Views.Usage(days, usage.recent(f.scope(), RECENT), totals, keys.list(c.account()),
                catalog.models().stream().map(Model::alias).toList(), f.scope().keyId(), f.scope().model(), f.days(),
                chartJson(days), "/portal/usage.csv?" + f.query());
        html.render(res, 200, "usage.jte", AuthPages.params("page", gate.page(req, res, c, "Usage", "usage"), "view", view));
    }

    private void csv(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Filter f = filter(req, c);
        StringBuilder b = new StringBuilder("time_utc,request_id,api,model,status,http_status,error_code,prompt_tokens,"
                + "completion_tokens,tokens_estimated,latency_ms\n");
        var since = clock.instant().minus(java.time.Duration.ofDays(f.days()));
        for (UsageReports.Row r : usage.recent(f.scope(), CSV_ROWS)) {
            if (r.at().isBefore(since)) {
                break;
            }
            b.append(r.at()).append(',').append(r.requestId()).append(',').append(r.route()).append(',')
                    .append(csvField(r.model())).append(',')
                    .append(r.status()).append(',').append(r.httpStatus()).append(',')
                    .append(r.errorCode() == null ? "" : r.errorCode()).append(',')
                    .append(r.promptTokens() == null ? "" : r.promptTokens()).append(',')
                    .append(r.completionTokens() == null ? "" : r.completionTokens()).append(',')
                    .append(r.estimated()).append(',').append(r.latencyMs()).append('\n');
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"usage-" + UsageReports.utcDay(clock.instant()) + ".csv\"");
        Html.securityHeaders(res);
        res.send(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Chart data as JSON safe to embed in a script element (no {@code <}). */
    static String chartJson(List<UsageReports.Day> days) {
        return new String(Json.write(g -> {
            g.writeStartObject();
            g.writeObjectField("labels", days.stream().map(d -> d.day().toString()).toList());
            g.writeObjectField("requests", days.stream().map(UsageReports.Day::requests).toList());
            g.writeObjectField("tokens", days.stream().map(d -> d.promptTokens() + d.completionTokens()).toList());
            g.writeEndObject();
        }), StandardCharsets.UTF_8).replace("<", "\\u003c");
    }

    private static String csvField(String s) {
        if (s == null) {
            return "";
        }
        String safe = s.startsWith("=") || s.startsWith("+") || s.startsWith("-") || s.startsWith("@") ? "'" + s : s;
        return safe.contains(",") || safe.contains("\"") ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private static int parseDays(String s) {
        return switch (s) {
            case "30" -> 30;
            case "90" -> 90;
            default -> 7;
        };
    }
}
