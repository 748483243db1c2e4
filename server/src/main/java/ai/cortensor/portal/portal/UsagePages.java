package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.json.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.List;

/**
 * The usage page — requests and tokens per day, spend per day by model or by key (chart and table), the recent
 * requests, all filtered by key and model — its CSV of recent requests, and links to the usage export.
 */
final class UsagePages {
    private static final int RECENT = 100;
    private static final int CSV_ROWS = 10_000;

    private final Gate gate;
    private final Html html;
    private final CustomerKeys keys;
    private final UsageReports usage;
    private final SpendReports spend;
    private final Catalog catalog;
    private final InstantSource clock;

    UsagePages(Gate gate, Html html, CustomerKeys keys, UsageReports usage, SpendReports spend, Catalog catalog,
               InstantSource clock) {
        this.gate = gate;
        this.html = html;
        this.keys = keys;
        this.usage = usage;
        this.spend = spend;
        this.catalog = catalog;
        this.clock = clock;
    }

    void register(ConsolePages console, HttpRouting.Builder r) {
        console.signedIn(r, "/portal/usage", false, this::page);
        console.signedIn(r, "/portal/usage.csv", false, this::csv);
    }

    record Filter(UsageReports.Scope scope, int days, String query, SpendReports.By by) {}

    /** Filters from the query; a key id not of this account matches nothing (never another account's data). */
    Filter filter(ServerRequest req, Sessions.Current c) {
        Long key = req.query().first("key").map(s -> s.isBlank() ? null : parseLong(s)).orElse(null);
        if (key != null && keys.find(c.account(), key.toString()).isEmpty()) {
            key = -1L;
        }
        String model = req.query().first("model").filter(s -> !s.isBlank()).orElse(null);
        int days = req.query().first("days").map(UsagePages::parseDays).orElse(7);
        SpendReports.By by = req.query().first("by").filter("key"::equals).isPresent() ? SpendReports.By.KEY
                : SpendReports.By.MODEL;
        String query = "days=" + days + (key == null ? "" : "&key=" + key)
                + (model == null ? "" : "&model=" + java.net.URLEncoder.encode(model, StandardCharsets.UTF_8));
        return new Filter(new UsageReports.Scope(c.user().id(), c.account().organizationId(), key, model), days, query,
                by);
    }

    private void page(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Filter f = filter(req, c);
        LocalDate today = UsageReports.utcDay(clock.instant());
        LocalDate from = today.minusDays(f.days() - 1);
        List<UsageReports.Day> days = usage.daily(f.scope(), from, today);
        var totals = usage.totals(f.scope(), from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        List<KeyStore.Listing> accountKeys = keys.list(c.account());
        Views.SpendByDay spendView = SpendView.of(spend.daily(f.scope(), from, today, f.by()), from, today, f.by(),
                accountKeys);
        String filters = (f.scope().keyId() == null || f.scope().keyId() < 0 ? "" : "&key=" + f.scope().keyId())
                + (f.scope().model() == null ? "" : "&model="
                        + java.net.URLEncoder.encode(f.scope().model(), StandardCharsets.UTF_8));
        var view = new Views.Usage(days, usage.recent(f.scope(), RECENT), totals, accountKeys,
                catalog.models().stream().map(Model::alias).toList(), f.scope().keyId(), f.scope().model(), f.days(),
                chartJson(days), "/portal/usage.csv?" + f.query(), spendView, from.toString(), today.toString(),
                f.scope().keyId() == null || f.scope().keyId() < 0 ? "" : f.scope().keyId().toString(),
                "/portal/api/usage/export?from=" + from + "&to=" + today + filters);
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

    static String csvField(String s) {
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
