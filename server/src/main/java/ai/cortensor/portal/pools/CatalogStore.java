package ai.cortensor.portal.pools;

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
                     String keyRef, int weight, int maxConcurrency) {}

    record PoolRow(String name, String state) {}

    List<Model> models() {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT m.*, p.name AS pool_name FROM models m
                LEFT JOIN router_pool_models rpm ON rpm.model_alias = m.alias AND rpm.priority = 0
                LEFT JOIN router_pools p ON p.id = rpm.pool_id
                ORDER BY m.alias""")
                .map((rs, ctx) -> new Model(rs.getString("alias"), rs.getString("display_name"),
                        rs.getString("description"), rs.getString("owned_by"), rs.getInt("context_length"),
                        rs.getInt("max_output_tokens"), ChatTemplate.byId(rs.getString("chat_template")),
                        rs.getLong("prompt_price"), rs.getLong("completion_price"),
                        "enabled".equals(rs.getString("state")), rs.getTimestamp("created_at").toInstant(),
                        rs.getString("pool_name")))
                .list());
    }

    List<PoolRow> pools() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, state FROM router_pools ORDER BY name")
                .map((rs, ctx) -> new PoolRow(rs.getString("name"), rs.getString("state"))).list());
    }

    List<TargetRow> targets() {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT t.*, p.name AS pool_name FROM router_pool_targets t JOIN router_pools p ON p.id = t.pool_id
                WHERE t.state = 'enabled' ORDER BY t.id""")
                .map((rs, ctx) -> {
                    long session = rs.getLong("session_id");
                    Long sessionId = rs.wasNull() ? null : session;
                    return new TargetRow(rs.getLong("id"), rs.getString("pool_name"), rs.getString("name"),
                            rs.getString("protocol"), rs.getString("base_url"), sessionId,
                            rs.getString("router_key_ref"), rs.getInt("weight"), rs.getInt("max_concurrency"));
                }).list());
    }

    /**
     * Makes the database match the pools in configuration: creates missing pools, upserts their targets by name
     * and disables configured pools' targets that are no longer listed. Pools not in configuration are untouched.
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
                            INSERT INTO router_pool_targets (pool_id, name, base_url, protocol, session_id, router_key_ref, state)
                            VALUES (:p, :n, :u, :proto, :s, :k, 'enabled')
                            ON CONFLICT (pool_id, name) DO UPDATE SET base_url = :u, protocol = :proto,
                                session_id = :s, router_key_ref = :k, state = 'enabled'""")
                            .bind("p", poolId).bind("n", t.name()).bind("u", t.baseUrl()).bind("proto", t.protocol())
                            .bind("s", t.sessionId()).bind("k", t.keyRef()).execute();
                }
            }
        });
    }
}
