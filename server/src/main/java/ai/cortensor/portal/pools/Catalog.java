package ai.cortensor.portal.pools;

import ai.cortensor.portal.config.PortalConfig;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory catalog: models by alias and pools by name, read from the database by {@link #reload()} and
 * swapped in as one immutable snapshot, so the request path reads it without locks or database access. Target
 * health lives beside it, keyed by target id, so a reload (an operator's edit) keeps in-flight counts and
 * ejections.
 */
public final class Catalog {
    private final CatalogStore store;
    private final Map<String, String> routerSecrets;
    private final PortalConfig.Health policy;
    private final InstantSource clock;
    private final Map<Long, TargetHealth> health = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of());

    record Snapshot(Map<String, Model> models, Map<String, Pool> pools, Map<String, List<CatalogStore.TargetRow>> disabled) {}

    public Catalog(CatalogStore store, Map<String, String> routerSecrets, PortalConfig.Health policy, InstantSource clock) {
        this.store = store;
        this.routerSecrets = Map.copyOf(routerSecrets);
        this.policy = policy;
        this.clock = clock;
    }

    public synchronized void reload() {
        Map<String, List<TargetHealth>> members = new LinkedHashMap<>();
        Map<String, List<CatalogStore.TargetRow>> disabled = new LinkedHashMap<>();
        for (CatalogStore.TargetRow t : store.targets()) {
            if (!t.enabled()) {
                disabled.computeIfAbsent(t.pool(), p -> new ArrayList<>()).add(t);
                continue;
            }
            String key = t.keyRef() == null ? null : routerSecrets.get(t.keyRef());
            RouterTarget target = new RouterTarget(t.id(), t.name(), t.pool(), t.protocol(), t.baseUrl(),
                    t.sessionId(), key, t.weight(), t.maxConcurrency());
            TargetHealth h = health.computeIfAbsent(t.id(), id -> new TargetHealth(target, policy, clock));
            h.update(target);
            members.computeIfAbsent(t.pool(), p -> new ArrayList<>()).add(h);
        }
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (CatalogStore.PoolRow row : store.pools()) {
            pools.put(row.name(), new Pool(row.name(), row.kind(), row.state(),
                    members.getOrDefault(row.name(), List.of()), policy.degradedBelow()));
        }
        Map<String, Model> models = new LinkedHashMap<>();
        store.models().forEach(m -> models.put(m.alias(), m));
        snapshot = new Snapshot(Collections.unmodifiableMap(models), Collections.unmodifiableMap(pools),
                Collections.unmodifiableMap(disabled));
    }

    /**
     * A catalog model by alias, whatever its state (enabled, paused or disabled): whether it may be served is
     * {@code plans.AdmissionRules}' answer, not the catalog's.
     */
    public Optional<Model> find(String alias) {
        return alias == null ? Optional.empty() : Optional.ofNullable(snapshot.models().get(alias));
    }

    /** Enabled models in alias order: the ones requests are served for now. */
    public List<Model> models() {
        return snapshot.models().values().stream().filter(Model::enabled).toList();
    }

    /**
     * The models customers are offered, in alias order: enabled and paused ones (a pause is temporary); disabled
     * ones are withdrawn.
     */
    public List<Model> offered() {
        return snapshot.models().values().stream().filter(m -> !m.disabled()).toList();
    }

    /** Every catalog model in alias order, disabled ones included (the customer's Models page shows each state). */
    public List<Model> all() {
        return List.copyOf(snapshot.models().values());
    }

    public Optional<Pool> pool(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(snapshot.pools().get(name));
    }

    public List<Pool> pools() {
        return List.copyOf(snapshot.pools().values());
    }

    /** The pools that may serve a model now, in order: its own pool, then its fallbacks; paused and draining left out. */
    public List<Pool> route(Model model) {
        Snapshot s = snapshot;
        List<Pool> out = new ArrayList<>(1 + model.fallbackPools().size());
        Pool first = model.pool() == null ? null : s.pools().get(model.pool());
        if (first != null && first.accepting()) {
            out.add(first);
        }
        for (String name : model.fallbackPools()) {
            Pool p = s.pools().get(name);
            if (p != null && p.accepting()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether a request for the model could be sent somewhere right now. */
    public boolean serviceable(Model model) {
        return route(model).stream().anyMatch(Pool::routable);
    }

    /** Health of every enabled target, for the prober and metrics. */
    public List<TargetHealth> targets() {
        List<TargetHealth> out = new ArrayList<>();
        snapshot.pools().values().forEach(p -> out.addAll(p.members()));
        return out;
    }

    /** Every pool with its targets' health and load on this replica, for operators. */
    public List<PoolStatus> status() {
        Snapshot s = snapshot;
        List<PoolStatus> out = new ArrayList<>();
        for (Pool p : s.pools().values()) {
            List<String> models = s.models().values().stream().filter(m -> p.name().equals(m.pool()))
                    .map(Model::alias).toList();
            List<String> fallbackFor = s.models().values().stream().filter(m -> m.fallbackPools().contains(p.name()))
                    .map(Model::alias).toList();
            List<PoolStatus.TargetStatus> targets = new ArrayList<>();
            for (TargetHealth h : p.members()) {
                TargetHealth.Snapshot snap = h.snapshot();
                RouterTarget t = h.target();
                targets.add(new PoolStatus.TargetStatus(t.name(), t.protocol(), "enabled",
                        snap.state().name().toLowerCase(java.util.Locale.ROOT), snap.inFlight(), t.weight(),
                        t.maxConcurrency(), snap.requests(), snap.failures(), snap.errorRate(), snap.lastProbeAt(),
                        snap.lastProbe()));
            }
            for (CatalogStore.TargetRow t : s.disabled().getOrDefault(p.name(), List.of())) {
                TargetHealth h = health.get(t.id());
                targets.add(new PoolStatus.TargetStatus(t.name(), t.protocol(), "disabled", "out of selection",
                        h == null ? 0 : h.inFlight(), t.weight(), t.maxConcurrency(), 0, 0, 0.0, null, null));
            }
            out.add(new PoolStatus(p.name(), p.kind(), p.state(), p.effectiveState(), p.inFlight(), p.inFlight(), models,
                    fallbackFor, targets));
        }
        return out;
    }
}
