package ai.cortensor.portal.admin.cli;

import ai.cortensor.portal.admin.api.AdminApi;
import ai.cortensor.portal.billing.Money;
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

    @Command(name = "model", description = "Catalog models: list, prices, pause, resume, enable, disable, map, family.")
    static final class Model {
        @Command(name = "list", description = "Every model with its state, pools and prices (USD per million tokens).")
        int list(@Mixin AdminCommand.Connection c) {
            return c.show("/admin/api/models", m -> {
                var rows = AdminApi.JSON.createArrayNode();
                m.path("data").forEach(r -> {
                    var copy = (com.fasterxml.jackson.databind.node.ObjectNode) r.deepCopy();
                    for (String f : new String[] {"input_price", "output_price", "reasoning_price"}) {
                        if (r.hasNonNull(f)) {
                            copy.put(f, Money.usd(r.path(f).asLong()));
                        }
                    }
                    rows.add(copy);
                });
                Tables.table(OUT, rows, col("MODEL", "alias"), col("STATE", "state"), col("FAMILY", "family"),
                        col("POOLS", "pools"), col("INPUT/M", "input_price"), col("OUTPUT/M", "output_price"),
                        col("REASONING/M", "reasoning_price"), col("NAME", "display_name"));
            });
        }

        @Command(name = "prices", description = "Change a model's prices in USD per million tokens (admin). Prices left "
                + "out stay; requests admitted from now on, on every replica, pay the new ones.")
        int prices(@Mixin AdminCommand.Connection c, @Parameters(paramLabel = "MODEL") String alias,
                   @Option(names = "--input", description = "USD per million prompt tokens, e.g. 0.06") String input,
                   @Option(names = "--output", description = "USD per million completion tokens, e.g. 0.24") String output,
                   @Option(names = "--reasoning", description = "USD per million reasoning tokens, or 'none' to price "
                           + "them as output") String reasoning,
                   @Option(names = "--reason", required = true) String reason) {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            putPrice(body, "input_price", "--input", input);
            putPrice(body, "output_price", "--output", output);
            if ("none".equalsIgnoreCase(reasoning)) {
                body.put("reasoning_price", null);
            } else {
                putPrice(body, "reasoning_price", "--reasoning", reasoning);
            }
            if (body.isEmpty()) {
                throw new AdminClient.Failure(AdminClient.ExitCodes.USAGE,
                        "give --input, --output or --reasoning (USD per million tokens)");
            }
            body.put("reason", reason);
            return c.post("/admin/api/models/" + segment(alias) + "/prices", body, d -> {
                JsonNode r = d.path("result");
                OUT.println("model " + r.path("model").asText() + " prices per million tokens: "
                        + prices(r.path("before")) + " -> " + prices(r.path("after"))
                        + (d.path("changed").asBoolean() ? "" : " (unchanged)"));
            });
        }

        private static void putPrice(Map<String, Object> body, String field, String option, String usd) {
            if (usd == null) {
                return;
            }
            Long micros = Money.parseUsd(usd);
            if (micros == null) {
                throw new AdminClient.Failure(AdminClient.ExitCodes.USAGE, option + " must be USD per million tokens "
                        + "with at most 6 decimals, e.g. 0.06 (got '" + usd + "')");
            }
            body.put(field, micros);
        }

        private static String prices(JsonNode p) {
            return "input " + Money.usd(p.path("input_price").asLong()) + ", output "
                    + Money.usd(p.path("output_price").asLong()) + ", reasoning "
                    + (p.hasNonNull("reasoning_price") ? Money.usd(p.path("reasoning_price").asLong()) : "as output");
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
