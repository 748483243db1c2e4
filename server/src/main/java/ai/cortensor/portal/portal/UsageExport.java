package ai.cortensor.portal.portal;

import ai.cortensor.portal.json.Json;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.web.Html;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code GET /portal/api/usage/export?from=&to=&format=csv|json[&key=][&model=]}: every served request of the
 * account in a range of UTC days, one row each (time, request id, key prefix, model, tokens in and out, cost in
 * micro-USD and USD, status), streamed as it is read — memory stays bounded whatever the range. The costs are the
 * ledger's usage amounts, to the micro-dollar. The usage page links here.
 */
final class UsageExport {
    static final String CSV_HEADER = "time_utc,request_id,key_prefix,model,prompt_tokens,completion_tokens,"
            + "cost_micros,cost_usd,status\n";
    private static final Set<String> PARAMETERS = Set.of("from", "to", "format", "key", "model");

    private final SpendReports spend;
    private final CustomerKeys keys;
    private final InstantSource clock;

    UsageExport(SpendReports spend, CustomerKeys keys, InstantSource clock) {
        this.spend = spend;
        this.keys = keys;
        this.clock = clock;
    }

    /** A range of whole UTC days [from, to] of the account, narrowed to a key and a model when asked. */
    record Range(LocalDate from, LocalDate to, UsageReports.Scope scope) {}

    /**
     * The range of {@code from} and {@code to} (dates, both included; {@code to} by default today, {@code from} by
     * default {@code defaultFrom} of it) with the {@code key} and {@code model} filters; null after answering 400
     * (naming the parameter) or 404 (a key of another account).
     */
    Range range(ServerRequest req, ServerResponse res, Sessions.Current c, UnaryOperator<LocalDate> defaultFrom) {
        LocalDate to = date(req, res, "to", UsageReports.utcDay(clock.instant()));
        if (to == null) {
            return null;
        }
        LocalDate from = date(req, res, "from", defaultFrom.apply(to));
        if (from == null) {
            return null;
        }
        if (to.isBefore(from)) {
            PortalApi.error(res, 400, "invalid_value", "to: the range ends (" + to + ") before it starts (" + from
                    + ").");
            return null;
        }
        Long key = null;
        String keyText = req.query().first("key").filter(s -> !s.isBlank()).orElse(null);
        if (keyText != null) {
            if (keys.find(c.account(), keyText).isEmpty()) {
                PortalApi.error(res, 404, "not_found", "key: no such key in this account.");
                return null;
            }
            key = Long.parseLong(keyText);
        }
        String model = req.query().first("model").filter(s -> !s.isBlank()).orElse(null);
        return new Range(from, to, new UsageReports.Scope(c.user().id(), c.account().organizationId(), key, model));
    }

    void api(ServerRequest req, ServerResponse res, Sessions.Current c) throws Exception {
        for (String name : req.query().names()) {
            if (!PARAMETERS.contains(name)) {
                PortalApi.error(res, 400, "unknown_parameter", name + ": not a parameter of the export (from, to, "
                        + "format, key, model).");
                return;
            }
        }
        String format = req.query().first("format").orElse("csv");
        if (!format.equals("csv") && !format.equals("json")) {
            PortalApi.error(res, 400, "invalid_value", "format: csv or json.");
            return;
        }
        Range range = range(req, res, c, to -> to.withDayOfMonth(1)); // by default: the month so far
        if (range == null) {
            return;
        }
        String name = "usage-" + range.from() + "-to-" + range.to() + "." + format;
        res.header(HeaderNames.CONTENT_TYPE, format.equals("csv") ? "text/csv; charset=utf-8" : "application/json");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        Html.securityHeaders(res);
        var start = range.from().atStartOfDay(ZoneOffset.UTC).toInstant();
        var end = range.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        try (OutputStream out = res.outputStream()) {
            if (format.equals("csv")) {
                csv(out, range, start, end);
            } else {
                json(out, range, start, end);
            }
        }
    }

    private void csv(OutputStream raw, Range range, java.time.Instant start, java.time.Instant end) throws Exception {
        Writer w = new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8), 16 * 1024);
        w.write(CSV_HEADER);
        spend.export(range.scope(), start, end, r -> {
            w.write(r.at().toString());
            w.write(',');
            w.write(r.requestId());
            w.write(',');
            w.write(r.keyPrefix() == null ? "" : r.keyPrefix());
            w.write(',');
            w.write(UsagePages.csvField(r.model()));
            w.write(',');
            w.write(Integer.toString(r.promptTokens()));
            w.write(',');
            w.write(Integer.toString(r.completionTokens()));
            w.write(',');
            w.write(Long.toString(r.costMicros()));
            w.write(',');
            w.write(usd(r.costMicros()));
            w.write(',');
            w.write(r.status());
            w.write('\n');
        });
        w.flush();
    }

    private void json(OutputStream raw, Range range, java.time.Instant start, java.time.Instant end) throws Exception {
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(raw)) {
            long[] total = new long[2];
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeStringField("from", range.from().toString());
            g.writeStringField("to", range.to().toString());
            g.writeArrayFieldStart("data");
            spend.export(range.scope(), start, end, r -> {
                g.writeStartObject();
                g.writeStringField("time", r.at().toString());
                g.writeStringField("request_id", r.requestId());
                g.writeStringField("key_prefix", r.keyPrefix());
                g.writeStringField("model", r.model());
                g.writeNumberField("prompt_tokens", r.promptTokens());
                g.writeNumberField("completion_tokens", r.completionTokens());
                g.writeNumberField("cost_micros", r.costMicros());
                g.writeStringField("cost_usd", usd(r.costMicros()));
                g.writeStringField("status", r.status());
                g.writeEndObject();
                total[0]++;
                total[1] += r.costMicros();
            });
            g.writeEndArray();
            g.writeNumberField("requests", total[0]);
            g.writeNumberField("total_cost_micros", total[1]);
            g.writeStringField("total_cost_usd", usd(total[1]));
            g.writeEndObject();
        }
    }

    /** Six decimals always, so a spreadsheet column lines up: "0.000012", "5.000000". */
    static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }

    private static LocalDate date(ServerRequest req, ServerResponse res, String name, LocalDate otherwise) {
        String text = req.query().first(name).filter(s -> !s.isBlank()).orElse(null);
        if (text == null) {
            return otherwise;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            PortalApi.error(res, 400, "invalid_value", name + ": a UTC date like 2026-12-01, not '" + text + "'.");
            return null;
        }
    }
}
