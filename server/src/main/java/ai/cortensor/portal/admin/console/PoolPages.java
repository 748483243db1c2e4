package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.Operations;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Pools and models: every pool and target with state, health, in-flight and error rate as this replica sees them
 * ({@code Catalog.status()}), and the catalog's models; pause, drain or resume a pool, enable or disable a target,
 * pause, resume, enable or disable a model (admin only; each with a reason).
 */
final class PoolPages {
    private final ConsoleGate gate;
    private final Operations ops;

    PoolPages(ConsoleGate gate, Operations ops) {
        this.gate = gate;
        this.ops = ops;
    }

    void register(HttpRouting.Builder r) {
        r.get("/admin/pools", (req, res) -> gate.require(req, res).ifPresent(c -> show(req, res, c, null, 200)));
        r.post("/admin/pools/{pool}/pause", (req, res) -> poolState(req, res, "paused"));
        r.post("/admin/pools/{pool}/drain", (req, res) -> poolState(req, res, "draining"));
        r.post("/admin/pools/{pool}/resume", (req, res) -> poolState(req, res, "live"));
        r.post("/admin/pools/{pool}/targets/{target}/enable", (req, res) -> target(req, res, true));
        r.post("/admin/pools/{pool}/targets/{target}/disable", (req, res) -> target(req, res, false));
        r.post("/admin/models/{alias}/enable", (req, res) -> model(req, res, "enabled"));
        r.post("/admin/models/{alias}/pause", (req, res) -> model(req, res, "paused"));
        r.post("/admin/models/{alias}/disable", (req, res) -> model(req, res, "disabled"));
    }

    private void poolState(ServerRequest req, ServerResponse res, String state) {
        String pool = AccountPages.param(req, "pool");
        gate.act(req, res, this::show, p -> ops.setPoolState(pool, state, p.field("reason"), p.actor()).changed());
    }

    private void target(ServerRequest req, ServerResponse res, boolean enabled) {
        String pool = AccountPages.param(req, "pool");
        String target = AccountPages.param(req, "target");
        gate.act(req, res, this::show, p -> ops.setTargetEnabled(pool, target, enabled, p.field("reason"), p.actor())
                .changed());
    }

    private void model(ServerRequest req, ServerResponse res, String state) {
        String alias = AccountPages.param(req, "alias");
        gate.act(req, res, this::show, p -> ops.setModelState(alias, state, p.field("reason"), p.actor())
                .changed());
    }

    private void show(ServerRequest req, ServerResponse res, OperatorSessions.Current c, String error, int status) {
        OperatorPage page = gate.page(req, res, c, "Pools & models", "pools");
        gate.render(res, status, "admin/pools.jte", error == null ? page : page.withNotice(error, "error"),
                "pools", ops.pools(), "models", ops.models());
    }
}
