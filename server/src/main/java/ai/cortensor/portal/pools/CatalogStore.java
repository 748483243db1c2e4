package ai.cortensor.portal.pools;

import ai.cortensor.portal.families.Families;

import ai.cortensor.portal.config.PortalConfig;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** SQL for {@code models}, {@code router_pools}, {@code router_pool_targets} and {@code router_pool_models}. */
public final class CatalogStore {
    private final Jdbi jdbi;

    public CatalogStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A target row; the router key is resolved from configuration by {@code router_key_ref}. */
    record TargetRow(long id, String pool, String name, String protocol, String baseUrl, Long sessionId,
                     String keyRef, int weight, int maxConcurrency, boolean enabled) {}

    record PoolRow(String name, String kind, String state) {}

    List<Model> models() {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT m.*,
                    (SELECT array_agg(p.name ORDER BY rpm.priority) FROM router_pool_models rpm
                     JOIN router_pools p ON p.id = rpm.pool_id WHERE rpm.model_alias = m.alias) AS pools
                FROM models m ORDER BY m.alias""")
                .map((rs, ctx) -> {
                    java.sql.Array arr = rs.getArray("pools");
                    List<String> pools = arr == null ? List.of() : List.of((String[]) arr.getArray());
                    return new Model(rs.getString("alias"), rs.getString("display_name"),
                        rs.getString("description"), rs.getString("owned_by"), rs.getInt("context_length"),
                        rs.getInt("max_output_tokens"), Families.byId(rs.getString("chat_template")).orElse(Families.GENERIC),
                        rs.getLong("prompt_price"), rs.getLong("completion_price"),
                        rs.getString("state"), rs.getTimestamp("created_at").toInstant(),
                        pools.isEmpty() ? null : pools.getFirst(), pools.isEmpty() ? List.of() : pools.subList(1, pools.size()),
                        rs.getObject("reasoning_price", Long.class));
                }).list());
    }

    List<PoolRow> pools() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, kind, state FROM router_pools ORDER BY name")
                .map((rs, ctx) -> new PoolRow(rs.getString("name"), rs.getString("kind"), rs.getString("state"))).list());
    }

    List<TargetRow> targets() {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT t.*, p.name AS pool_name FROM router_pool_targets t JOIN router_pools p ON p.id = t.pool_id
                ORDER BY t.id""")
                .map((rs, ctx) -> {
                    long session = rs.getLong("session_id");
                    Long sessionId = rs.wasNull() ? null : session;
                    return new TargetRow(rs.getLong("id"), rs.getString("pool_name"), rs.getString("name"),
                            rs.getString("protocol"), rs.getString("base_url"), sessionId,
                            rs.getString("router_key_ref"), rs.getInt("weight"), rs.getInt("max_concurrency"),
                            "enabled".equals(rs.getString("state")));
                }).list());
    }

    /**
     * Makes the database match the pools in configuration: creates missing pools, upserts their targets by name
     * and disables configured pools' targets that are no longer listed, and maps the models a pool names as its
     * own (priority 0) or as its fallback (priority 1). Pools not in configuration are untouched.
     */
    public void bootstrap(Map<String, PortalConfig.PoolSpec> pools) {
        jdbi.useTransaction(h -> {
            for (PortalConfig.PoolSpec pool : pools.values()) {
                long poolId = h.createQuery("INSERT INTO router_pools (name) VALUES (:n) "
                                + "ON CONFLICT (name) DO UPDATE SET updated_at = router_pools.updated_at RETURNING id")
                        .bind("n", pool.name()).mapTo(Long.class).one();
                h.createUpdate("UPDATE router_pool_targets SET state = 'disabled' WHERE pool_id = :p")
                        .bind("p", poolId).execute();
                for (PortalConfig.TargetSpec t : pool.targets()) {
                    h.createUpdate("""
                            INSERT INTO router_pool_targets (pool_id, name, base_url, protocol, session_id, router_key_ref,
                                weight, max_concurrency, state)
                            VALUES (:p, :n, :u, :proto, :s, :k, :w, :max, 'enabled')
                            ON CONFLICT (pool_id, name) DO UPDATE SET base_url = :u, protocol = :proto,
                                session_id = :s, router_key_ref = :k, weight = :w, max_concurrency = :max, state = 'enabled'""")
                            .bind("p", poolId).bind("n", t.name()).bind("u", t.baseUrl()).bind("proto", t.protocol())
                            .bind("s", t.sessionId()).bind("k", t.keyRef()).bind("w", t.weight())
                            .bind("max", t.maxConcurrency()).execute();
                }
                for (String alias : pool.models()) {
                    map(h, alias, poolId, 0);
                }
                for (String alias : pool.fallbackFor()) {
                    map(h, alias, poolId, 1);
                }
            }
        });
    }

    private static void map(org.jdbi.v3.core.Handle h, String alias, long poolId, int priority) {
        if (h.createQuery("SELECT count(*) FROM models WHERE alias = :m").bind("m", alias).mapTo(Integer.class).one() == 0) {
            throw new IllegalStateException("configuration maps unknown model '" + alias + "' to a pool");
        }
        h.createUpdate("DELETE FROM router_pool_models WHERE model_alias = :m AND (priority = :pr OR pool_id = :p)")
                .bind("m", alias).bind("pr", priority).bind("p", poolId).execute();
        h.createUpdate("INSERT INTO router_pool_models (model_alias, pool_id, priority) VALUES (:m, :p, :pr)")
                .bind("m", alias).bind("p", poolId).bind("pr", priority).execute();
    }
}
