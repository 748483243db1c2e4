package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.ActionRefused;
import ai.cortensor.portal.admin.InspectionStore;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.admin.Page;
import ai.cortensor.portal.admin.RequestLifecycle;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Console pages that read the logs: recent requests (filtered, keyset pages), one request's lifecycle, the audit log. */
final class InspectionPages {
    private static final int PAGE_SIZE = 50;

    private final ConsoleGate gate;
    private final Operations ops;

    InspectionPages(ConsoleGate gate, Operations ops) {
        this.gate = gate;
        this.ops = ops;
    }

    void register(HttpRouting.Builder r) {
        r.get("/admin/requests", (req, res) -> gate.require(req, res).ifPresent(c -> requests(req, res, c)));
        r.get("/admin/requests/{id}", (req, res) -> gate.require(req, res).ifPresent(c -> request(req, res, c)));
        r.get("/admin/audit", (req, res) -> gate.require(req, res).ifPresent(c -> audit(req, res, c)));
    }

    private void requests(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        Map<String, String> f = filters(req, "account", "key", "model", "pool", "status", "from", "to");
        List<InspectionStore.RequestRow> rows = List.of();
        String next = null;
        String error = null;
        try {
            Long keyId = f.get("key") == null ? null : ops.key(f.get("key")).id();
            var filter = new InspectionStore.RequestFilter(f.get("account") == null ? null : ops.account(f.get("account")),
                    null, keyId, f.get("model"), f.get("pool"), f.get("status"), time(f.get("from"), "from"),
                    time(f.get("to"), "to"));
            Page<InspectionStore.RequestRow> page = ops.inspection().requests(filter, query(req, "cursor"), PAGE_SIZE);
            rows = page.data();
            next = page.nextCursor() == null ? null : "/admin/requests?" + encode(f, page.nextCursor());
        } catch (ActionRefused e) {
            error = e.getMessage();
        }
        OperatorPage page = gate.page(req, res, c, "Requests", "requests");
        gate.render(res, error == null ? 200 : 400, "admin/requests.jte",
                error == null ? page : page.withNotice(error, "error"), "f", f, "rows", rows, "next", next,
                "first", query(req, "cursor") == null ? null : "/admin/requests?" + encode(f, null));
    }

    private void request(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        String id = AccountPages.param(req, "id");
        RequestLifecycle lifecycle;
        try {
            lifecycle = ops.inspection().request(id);
        } catch (ActionRefused e) {
            gate.message(req, res, c, e.kind().status, "No such request", e.getMessage());
            return;
        }
        gate.render(res, 200, "admin/request.jte", gate.page(req, res, c, "Request " + id, "requests"),
                "life", lifecycle);
    }

    private void audit(ServerRequest req, ServerResponse res, OperatorSessions.Current c) {
        Map<String, String> f = filters(req, "actor", "action", "target_type", "target_id", "from", "to");
        List<InspectionStore.AuditEntry> rows = List.of();
        String next = null;
        String error = null;
        try {
            var filter = new InspectionStore.AuditFilter(f.get("actor"), f.get("action"), f.get("target_type"),
                    f.get("target_id"), time(f.get("from"), "from"), time(f.get("to"), "to"));
            Page<InspectionStore.AuditEntry> page = ops.inspection().audit(filter, query(req, "cursor"), PAGE_SIZE);
            rows = page.data();
            next = page.nextCursor() == null ? null : "/admin/audit?" + encode(f, page.nextCursor());
        } catch (ActionRefused e) {
            error = e.getMessage();
        }
        OperatorPage page = gate.page(req, res, c, "Audit log", "audit");
        gate.render(res, error == null ? 200 : 400, "admin/audit.jte",
                error == null ? page : page.withNotice(error, "error"), "f", f, "rows", rows, "next", next,
                "first", query(req, "cursor") == null ? null : "/admin/audit?" + encode(f, null));
    }

    private static Map<String, String> filters(ServerRequest req, String... names) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String n : names) {
            f.put(n, query(req, n));
        }
        return f;
    }

    private static String query(ServerRequest req, String name) {
        return req.query().first(name).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
    }

    /** A filter link: the non-empty filters, plus the cursor of the next page. */
    private static String encode(Map<String, String> f, String cursor) {
        Map<String, String> all = new LinkedHashMap<>(f);
        all.put("cursor", cursor);
        return all.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** An instant ({@code 2026-01-31T12:00:00Z}) or a browser's date-time field ({@code 2026-01-31T12:00}, as UTC). */
    static Instant time(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return value.endsWith("Z") || value.matches(".*[+-]\\d\\d:\\d\\d$") ? Instant.parse(value)
                    : LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw ActionRefused.invalid("invalid_" + name, name + " must be a time like 2026-01-31T12:00 (UTC).");
        }
    }
}
