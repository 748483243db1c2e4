package ai.cortensor.portal.pools;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.changes.ChangeFeed;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Operator transitions of pools, targets and models. Each one changes the row, writes its audit event in the
 * same transaction and then tells every replica through the {@link ChangeFeed}, so it shows on the next request.
 * A transition to the state something is already in changes nothing and writes nothing.
 */
public final class PoolControl {
    /** The states an operator sets; {@code degraded} is derived from health, never set by hand. */
    public static final Set<String> OPERATOR_POOL_STATES = Set.of("live", "paused", "draining");

    private final Jdbi jdbi;
    private final ChangeFeed changes;

    public PoolControl(Jdbi jdbi, ChangeFeed changes) {
        this.jdbi = jdbi;
        this.changes = changes;
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
        return change("router_pool", pool, action, actor, reason, h -> h.createQuery(
                        "SELECT state FROM router_pools WHERE name = :id FOR UPDATE").bind("id", pool)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("UPDATE router_pools SET state = :s, updated_at = now() WHERE name = :id")
                        .bind("s", state).bind("id", pool).execute(), state);
    }

    public Transition setModelEnabled(String alias, boolean enabled, Actor actor, String reason) {
        String state = enabled ? "enabled" : "disabled";
        return change("model", alias, enabled ? "model.enable" : "model.disable", actor, reason,
                h -> h.createQuery("SELECT state FROM models WHERE alias = :id FOR UPDATE").bind("id", alias)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("UPDATE models SET state = :s WHERE alias = :id").bind("s", state)
                        .bind("id", alias).execute(), state);
    }

    /** Takes one router target of a pool out of (or back into) selection, e.g. for router maintenance. */
    public Transition setTargetEnabled(String pool, String target, boolean enabled, Actor actor, String reason) {
        String state = enabled ? "enabled" : "disabled";
        String id = pool + "/" + target;
        return change("router_target", id, enabled ? "target.enable" : "target.disable", actor, reason,
                h -> h.createQuery("""
                        SELECT t.state FROM router_pool_targets t JOIN router_pools p ON p.id = t.pool_id
                        WHERE p.name = :p AND t.name = :t FOR UPDATE OF t""").bind("p", pool).bind("t", target)
                        .mapTo(String.class).findOne(),
                h -> h.createUpdate("""
                        UPDATE router_pool_targets SET state = :s
                        WHERE name = :t AND pool_id = (SELECT id FROM router_pools WHERE name = :p)""")
                        .bind("s", state).bind("p", pool).bind("t", target).execute(), state);
    }

    private Transition change(String type, String id, String action, Actor actor, String reason,
                              java.util.function.Function<Handle, Optional<String>> current,
                              java.util.function.Consumer<Handle> update, String after) {
        Transition t = jdbi.inTransaction(h -> {
            String before = current.apply(h).orElseThrow(() -> new NotFound("no " + type.replace('_', ' ')
                    + " named '" + id + "'"));
            if (before.equals(after)) {
                return new Transition(type, id, before, after);
            }
            update.accept(h);
            AuditLog.append(h, actor, action, type, id, state(before), state(after), reason);
            return new Transition(type, id, before, after);
        });
        if (t.changed()) {
            changes.publish(ChangeFeed.CATALOG, id);
        }
        return t;
    }

    private static Map<String, Object> state(String s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s);
        return m;
    }
}
