package ai.cortensor.portal.pools;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.changes.ChangeFeed;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Operator transitions of pools, targets and models. Each one changes the row and writes its audit event in the
 * same transaction; at commit the catalog tables' triggers notify every replica through the {@link ChangeFeed}
 * (so edits made by hand in psql propagate too), and the change shows on the next request.
 * A transition to the state something is already in changes nothing and writes nothing.
 */
public final class PoolControl {
    /** The states an operator sets; {@code degraded} is derived from health, never set by hand. */
    public static final Set<String> OPERATOR_POOL_STATES = Set.of("live", "paused", "draining");

    private final Jdbi jdbi;

    public PoolControl(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** What a transition did: the state before and after ({@code changed} false when they are equal). */
    public record Transition(String targetType, String targetId, String before, String after) {
        public boolean changed() {
            return !before.equals(after);
        }
    }

    /** Thrown for an unknown pool, target or model. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message, null, false, false);
        }
    }

    public Transition setPoolState(String pool, String state, Actor actor, String reason) {
        if (!OPERATOR_POOL_STATES.contains(state)) {
            throw new IllegalArgumentException("pool state must be one of live, paused, draining");
        }
        String action = switch (state) {
            case "paused" -> "pool.pause";
            case "draining" -> "pool.drain";
            default -> "pool.resume";
        };
        return change("router_pool", pool, action, "state", actor, reason, h -> h.createQuery(
                        "SELECT state FROM router_pools WHERE name = :id FOR UPDATE").bind("id", pool)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("UPDATE router_pools SET state = :s, updated_at = now() WHERE name = :id")
                        .bind("s", state).bind("id", pool).execute(), state);
    }

    public Transition setModelEnabled(String alias, boolean enabled, Actor actor, String reason) {
        return setModelState(alias, enabled ? "enabled" : "disabled", actor, reason);
    }

    /**
     * {@code enabled} (served; audited {@code model.enable}), {@code paused} (kept in the catalog but refused for now
     * with 503 {@code model_unavailable}; {@code model.pause}) or {@code disabled} (withdrawn: 404
     * {@code model_disabled}; {@code model.disable}).
     */
    public Transition setModelState(String alias, String state, Actor actor, String reason) {
        if (!Model.STATES.contains(state)) {
            throw new IllegalArgumentException("model state must be one of enabled, paused, disabled");
        }
        String action = switch (state) {
            case "paused" -> "model.pause";
            case "disabled" -> "model.disable";
            default -> "model.enable";
        };
        return change("model", alias, action, "state", actor, reason,
                h -> h.createQuery("SELECT state FROM models WHERE alias = :id FOR UPDATE").bind("id", alias)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("UPDATE models SET state = :s WHERE alias = :id").bind("s", state)
                        .bind("id", alias).execute(), state);
    }

    /**
     * Sets the family a model is rendered and parsed with ({@code qwen}, {@code gpt-oss}, {@code gemma-4},
     * {@code generic}), e.g. when its pool starts serving another checkpoint. Requests admitted after the change use it.
     */
    public Transition setModelFamily(String alias, String family, Actor actor, String reason) {
        if (ai.cortensor.portal.families.Families.byId(family).isEmpty()) {
            throw new IllegalArgumentException("unknown family '" + family + "'; one of "
                    + ai.cortensor.portal.families.Families.all().stream().map(f -> f.id()).toList());
        }
        return change("model", alias, "model.family", "family", actor, reason,
                h -> h.createQuery("SELECT chat_template FROM models WHERE alias = :id FOR UPDATE").bind("id", alias)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("UPDATE models SET chat_template = :f WHERE alias = :id").bind("f", family)
                        .bind("id", alias).execute(), family);
    }

    /** A price change: the model's prices before and after ({@code changed} false when they were already these). */
    public record PriceChange(String alias, Prices before, Prices after) {
        public boolean changed() {
            return !before.equals(after);
        }
    }

    /**
     * Changes a model's prices (micro-USD per million tokens; those the edit leaves out stay), audited
     * {@code model.prices} with all three prices before and after. Every replica's catalog reloads at commit (the
     * {@code models} trigger); the gateway captures a model's prices when it admits a request, so the change applies
     * to requests admitted after it and never to one already running.
     */
    public PriceChange setModelPrices(String alias, Prices.Edit edit, Actor actor, String reason) {
        return jdbi.inTransaction(h -> {
            Prices before = h.createQuery("SELECT prompt_price, completion_price, reasoning_price FROM models "
                            + "WHERE alias = :id FOR UPDATE").bind("id", alias)
                    .map((rs, ctx) -> new Prices(rs.getLong(1), rs.getLong(2), rs.getObject(3, Long.class))).findOne()
                    .orElseThrow(() -> new NotFound("no model named '" + alias + "'"));
            Prices after = edit.applyTo(before);
            check("input", after.input());
            check("output", after.output());
            if (after.reasoning() != null) {
                check("reasoning", after.reasoning());
            }
            if (before.equals(after)) {
                return new PriceChange(alias, before, after);
            }
            h.createUpdate("UPDATE models SET prompt_price = :i, completion_price = :o, reasoning_price = :r "
                            + "WHERE alias = :id")
                    .bind("i", after.input()).bind("o", after.output()).bind("r", after.reasoning())
                    .bind("id", alias).execute();
            AuditLog.append(h, actor, "model.prices", "model", alias, priceState(before), priceState(after), reason);
            return new PriceChange(alias, before, after);
        }); // the models trigger notifies every replica at commit (V7)
    }

    private static void check(String which, long price) {
        if (price < 0 || price > Prices.MAX) {
            throw new IllegalArgumentException(which + " price must be 0.." + Prices.MAX
                    + " micro-USD per million tokens");
        }
    }

    /** Prices as the audit log keeps them: micro-USD per million tokens, reasoning null when unset. */
    private static Map<String, Object> priceState(Prices p) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("input_price", p.input());
        m.put("output_price", p.output());
        m.put("reasoning_price", p.reasoning());
        return m;
    }

    /** Takes one router target of a pool out of (or back into) selection, e.g. for router maintenance. */
    public Transition setTargetEnabled(String pool, String target, boolean enabled, Actor actor, String reason) {
        String state = enabled ? "enabled" : "disabled";
        String id = pool + "/" + target;
        return change("router_target", id, enabled ? "target.enable" : "target.disable", "state", actor, reason,
                h -> h.createQuery("""
                        SELECT t.state FROM router_pool_targets t JOIN router_pools p ON p.id = t.pool_id
                        WHERE p.name = :p AND t.name = :t FOR UPDATE OF t""").bind("p", pool).bind("t", target)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("""
                        UPDATE router_pool_targets SET state = :s
                        WHERE name = :t AND pool_id = (SELECT id FROM router_pools WHERE name = :p)""")
                        .bind("s", state).bind("p", pool).bind("t", target).execute(), state);
    }

    /** Changes a target's weight and concurrency cap; the next request selects with the new values. */
    public Transition setTargetCapacity(String pool, String target, int weight, int maxConcurrency, Actor actor,
                                        String reason) {
        if (weight < 1 || weight > 10_000 || maxConcurrency < 1 || maxConcurrency > 1_000_000) {
            throw new IllegalArgumentException("weight must be 1..10000 and max_concurrency 1..1000000");
        }
        String after = "weight=" + weight + " max_concurrency=" + maxConcurrency;
        return change("router_target", pool + "/" + target, "target.capacity", "capacity", actor, reason,
                h -> h.createQuery("""
                        SELECT 'weight=' || t.weight || ' max_concurrency=' || t.max_concurrency
                        FROM router_pool_targets t JOIN router_pools p ON p.id = t.pool_id
                        WHERE p.name = :p AND t.name = :t FOR UPDATE OF t""").bind("p", pool).bind("t", target)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("""
                        UPDATE router_pool_targets SET weight = :w, max_concurrency = :m
                        WHERE name = :t AND pool_id = (SELECT id FROM router_pools WHERE name = :p)""")
                        .bind("w", weight).bind("m", maxConcurrency).bind("p", pool).bind("t", target).execute(),
                after);
    }

    /**
     * Maps a model to the pools that serve it: {@code pools.get(0)} first, the rest as ordered fallbacks. Every
     * pool must exist.
     */
    public Transition mapModel(String alias, java.util.List<String> pools, Actor actor, String reason) {
        if (pools.isEmpty() || new java.util.HashSet<>(pools).size() != pools.size()) {
            throw new IllegalArgumentException("name one or more distinct pools, the first serves the model");
        }
        String after = String.join(",", pools);
        return change("model", alias, "model.map", "pools", actor, reason,
                h -> h.createQuery("""
                        SELECT coalesce((SELECT string_agg(p.name, ',' ORDER BY rpm.priority) FROM router_pool_models rpm
                            JOIN router_pools p ON p.id = rpm.pool_id WHERE rpm.model_alias = m.alias), '')
                        FROM models m WHERE m.alias = :m FOR UPDATE""").bind("m", alias).mapTo(String.class).findOne(),
                h -> {
                    h.createUpdate("DELETE FROM router_pool_models WHERE model_alias = :m").bind("m", alias).execute();
                    for (int i = 0; i < pools.size(); i++) {
                        int inserted = h.createUpdate("""
                                INSERT INTO router_pool_models (model_alias, pool_id, priority)
                                SELECT :m, id, :pr FROM router_pools WHERE name = :p""")
                                .bind("m", alias).bind("pr", i).bind("p", pools.get(i)).execute();
                        if (inserted == 0) {
                            throw new NotFound("no router pool named '" + pools.get(i) + "'");
                        }
                    }
                }, after);
    }

    private Transition change(String type, String id, String action, String field, Actor actor, String reason,
                              java.util.function.Function<Handle, Optional<String>> current,
                              java.util.function.Consumer<Handle> update, String after) {
        return jdbi.inTransaction(h -> {
            String before = current.apply(h).orElseThrow(() -> new NotFound("no " + type.replace('_', ' ')
                    + " named '" + id + "'"));
            if (before.equals(after)) {
                return new Transition(type, id, before, after);
            }
            update.accept(h);
            AuditLog.append(h, actor, action, type, id, Map.of(field, before), Map.of(field, after), reason);
            return new Transition(type, id, before, after);
        }); // the catalog tables' triggers notify every replica at commit (V7)
    }
}
