package ai.cortensor.portal.admin.cli;

import ai.cortensor.portal.admin.api.AdminApi;
import static ai.cortensor.portal.admin.cli.AdminClient.segment;
import static ai.cortensor.portal.admin.cli.AdminCommand.OUT;
import static ai.cortensor.portal.admin.cli.AdminCommand.reason;
import static ai.cortensor.portal.admin.cli.Tables.col;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portal admin model|pool|target …}: the catalog side of the operator CLI (see {@link AdminCommand}). */
final class CatalogCommands {
    private CatalogCommands() {}

    /** One line per transition: {@code router_pool default: live -> draining}. */
    static void transition(JsonNode d) {
        JsonNode t = d.path("result");
        OUT.println(t.path("target_type").asText() + " " + t.path("target_id").asText() + ": "
                + t.path("before").asText() + " -> " + t.path("after").asText()
                + (d.path("changed").asBoolean() ? "" : " (unchanged)"));
    }

    @Command(name = "model", description = "Catalog models: list, pause, resume, enable, disable, map, family.")
    static final class Model {
        @Command(name = "list", description = "Every model with its state and pools.")
        int list(@Mixin AdminCommand.Connection c) {
            return c.show("/admin/api/models", m -> Tables.table(OUT, m.path("data"), col("MODEL", "alias"),
                    col("STATE", "state"), col("FAMILY", "family"), col("POOLS", "pools"), col("NAME", "display_name")));
        }

        @Command(name = "family", description = "Set the family a model is rendered and parsed with: qwen, gpt-oss, gemma-4 or generic.")
        int family(@Mixin AdminCommand.Connection c, @Parameters(index = "0", paramLabel = "MODEL") String alias,
                   @Parameters(index = "1", paramLabel = "FAMILY") String family,
                   @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/models/" + segment(alias) + "/family", Map.of("family", family, "reason", reason),
                    CatalogCommands::transition);
        }

        @Command(name = "pause", description = "Refuse a model for now (503 model_unavailable with Retry-After); it stays listed.")
        int pause(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "MODEL") String alias,
                  @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/models/" + segment(alias) + "/pause", reason(reason), CatalogCommands::transition);
        }

        @Command(name = "resume", description = "Serve a paused model again.")
        int resume(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "MODEL") String alias,
                   @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/models/" + segment(alias) + "/resume", reason(reason), CatalogCommands::transition);
        }

        @Command(name = "disable", description = "Withdraw a model (404 model_disabled; no longer listed).")
        int disable(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "MODEL") String alias,
                    @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/models/" + segment(alias) + "/disable", reason(reason), CatalogCommands::transition);
        }

        @Command(name = "enable", description = "Serve a disabled (or paused) model again.")
        int enable(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "MODEL") String alias,
                   @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/models/" + segment(alias) + "/enable", reason(reason), CatalogCommands::transition);
        }

        @Command(name = "map", description = "Set the pools that serve a model: the first serves it, the rest are fallbacks in order.")
        int map(@Mixin AdminCommand.Connection c, @Parameters(index = "0", paramLabel = "MODEL") String alias,
                @Parameters(index = "1..*", paramLabel = "POOL", arity = "1..*") java.util.List<String> pools,
                @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/models/" + segment(alias) + "/pools", Map.of("pools", pools, "reason", reason),
                    CatalogCommands::transition);
        }
    }

    @Command(name = "pool", description = "Router pools: list, pause, drain, resume.")
    static final class Pool {
        @Command(name = "list", description = "Every pool and target: state, health, in-flight, error rate.")
        int list(@Mixin AdminCommand.Connection c) {
            return c.show("/admin/api/pools", p -> {
                Tables.table(OUT, p.path("data"), col("POOL", "name"), col("KIND", "kind"), col("STATE", "state"),
                        col("EFFECTIVE", "effective_state"), col("IN_FLIGHT", "in_flight"),
                        col("ALL_REPLICAS", "in_flight_all_replicas"), col("MODELS", "models"));
                OUT.println();
                var targets = AdminApi.JSON.createArrayNode();
                p.path("data").forEach(pool -> pool.path("targets").forEach(t ->
                        targets.add(((com.fasterxml.jackson.databind.node.ObjectNode) t.deepCopy())
                                .put("pool", pool.path("name").asText()))));
                Tables.table(OUT, targets, col("POOL", "pool"), col("TARGET", "name"), col("STATE", "state"),
                        col("HEALTH", "health"), col("IN_FLIGHT", "in_flight"), col("REQUESTS", "requests"),
                        col("FAILURES", "failures"), col("ERROR_RATE", "error_rate"), col("LAST_PROBE", "last_probe"));
            });
        }

        @Command(name = "pause", description = "No new requests (retryable error); in-flight ones finish.")
        int pause(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "POOL") String pool,
                  @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/pools/" + segment(pool) + "/pause", reason(reason), CatalogCommands::transition);
        }

        @Command(name = "drain", description = "No new requests; in-flight ones finish (before maintenance).")
        int drain(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "POOL") String pool,
                  @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/pools/" + segment(pool) + "/drain", reason(reason), CatalogCommands::transition);
        }

        @Command(name = "resume", description = "Route to the pool again.")
        int resume(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "POOL") String pool,
                   @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/pools/" + segment(pool) + "/resume", reason(reason), CatalogCommands::transition);
        }
    }

    @Command(name = "target", description = "One router target of a pool: enable, disable, capacity.")
    static final class Target {
        @Command(name = "disable", description = "Take a target out of selection.")
        int disable(@Mixin AdminCommand.Connection c, @Parameters(index = "0", paramLabel = "POOL") String pool,
                    @Parameters(index = "1", paramLabel = "TARGET") String target,
                    @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/pools/" + segment(pool) + "/targets/" + segment(target) + "/disable",
                    reason(reason), CatalogCommands::transition);
        }

        @Command(name = "capacity", description = "Set a target's weight (share of selection) and concurrency cap.")
        int capacity(@Mixin AdminCommand.Connection c, @Parameters(index = "0", paramLabel = "POOL") String pool,
                     @Parameters(index = "1", paramLabel = "TARGET") String target,
                     @Option(names = "--weight", required = true) int weight,
                     @Option(names = "--max", required = true, description = "Most requests in flight at once") int max,
                     @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/pools/" + segment(pool) + "/targets/" + segment(target) + "/capacity",
                    Map.of("weight", weight, "max_concurrency", max, "reason", reason), CatalogCommands::transition);
        }

        @Command(name = "enable", description = "Put a target back into selection.")
        int enable(@Mixin AdminCommand.Connection c, @Parameters(index = "0", paramLabel = "POOL") String pool,
                   @Parameters(index = "1", paramLabel = "TARGET") String target,
                   @Option(names = "--reason", required = true) String reason) {
            return c.post("/admin/api/pools/" + segment(pool) + "/targets/" + segment(target) + "/enable",
                    reason(reason), CatalogCommands::transition);
        }
    }
}
