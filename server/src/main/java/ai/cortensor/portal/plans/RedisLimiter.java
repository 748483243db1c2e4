package ai.cortensor.portal.plans;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits counted in Redis, so that several gateway replicas together admit exactly what one would: admission is
 * one Lua script (one round trip, atomic over every limit), settlement another, sent without waiting. The single
 * Lettuce connection pipelines commands from all request threads.
 *
 * <p>While Redis is unreachable, {@code failure} decides: {@code local} counts in this process (each replica then
 * admits up to the full limit), {@code open} admits without counting, {@code closed} refuses with
 * {@link LimitsUnavailable}. Every failed Redis call is counted in {@code portal_limits_redis_failures_total},
 * every admission decided by the policy in {@code portal_limits_redis_fallback_decisions_total{policy}}; whether
 * Redis answers is {@code portal_limits_redis_up} and {@link #store()} (for {@code /health}), kept by
 * {@link RedisLink}.
 *
 * <p>With {@code local}, this replica's own counters are kept all the time, not only while Redis is away: a request
 * must pass them first (they hold this replica's admissions, never more than Redis's shared count), then Redis. So an
 * outage goes on from what this replica already admitted instead of from zero, and what it admitted during the outage
 * still counts after Redis returns: one replica never exceeds a limit, however Redis comes and goes.
 */
public final class RedisLimiter implements Limiter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLimiter.class);
    private final String prefix;

    private final RedisLink link;
    private final String admitScript = script("redis/admit.lua");
    private final String settleScript = script("redis/settle.lua");
    private volatile String admitSha;
    private volatile String settleSha;
    private final String failure;
    private final LocalLimiter fallback;
    private final Counter failures;
    private final Counter fallbackDecisions;

    /** Counters live under {@code <namespace>:limit:}; replicas of one deployment share a namespace. */
    public RedisLimiter(String url, String namespace, String failure, LocalLimiter fallback, MeterRegistry metrics) {
        this.prefix = namespace + ":limit:";
        this.failure = failure;
        this.fallback = fallback;
        this.failures = metrics.counter("portal_limits_redis_failures");
        this.fallbackDecisions = Counter.builder("portal_limits_redis_fallback_decisions").tag("policy", failure)
                .description("Admissions decided by limits.redis-failure because Redis did not answer")
                .register(metrics);
        this.link = new RedisLink(url, failure);
        Gauge.builder("portal_limits_redis_up", link, l -> l.up() ? 1 : 0)
                .description("1 while the limits' Redis answers, else 0").register(metrics);
    }

    @Override
    public Store store() {
        return new Store("redis", link.up(), failure);
    }

    @Override
    public Admission admit(List<Limit> limits, long tokens, long nowMillis) {
        if (limits.isEmpty()) {
            return new Admission.Admitted(new Reservation(this, limits, new long[0], tokens), null, null);
        }
        Admission own = null;
        if (failure.equals("local")) {
            own = fallback.admit(limits, tokens, nowMillis);
            if (own instanceof Admission.Rejected) {
                return own; // this replica alone has used the limit up
            }
        }
        String[] keys = new String[limits.size()];
        String[] args = new String[1 + 4 * limits.size()];
        args[0] = Long.toString(nowMillis);
        long[] epochs = new long[limits.size()];
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            keys[i] = prefix + l.counterKey();
            boolean gauge = l.kind().concurrency();
            long bucket = gauge ? 0 : l.bucketMillis();
            epochs[i] = gauge ? 0 : nowMillis / bucket;
            args[1 + 4 * i] = Long.toString(l.max());
            args[2 + 4 * i] = Long.toString(LocalLimiter.amount(l, tokens));
            args[3 + 4 * i] = Long.toString(bucket);
            args[4 + 4 * i] = Long.toString(gauge ? Duration.ofHours(1).toMillis() : l.window().toMillis() + bucket * 2);
        }
        List<Long> out;
        try {
            out = eval(true, keys, args);
            link.succeeded();
        } catch (RuntimeException e) {
            return whileDown(e, tokens, own);
        }
        int rejected = out.get(0).intValue();
        Admission.Headroom requests = headroom(limits, out, LimitKind.REQUESTS_PER_MINUTE);
        Admission.Headroom tokensLeft = headroom(limits, out, LimitKind.TOKENS_PER_MINUTE);
        Reservation local = own instanceof Admission.Admitted a ? a.reservation() : null;
        if (rejected > 0) {
            if (local != null) {
                fallback.release(local);
            }
            Limit l = limits.get(rejected - 1);
            return new Admission.Rejected(l, out.get(2 + 2 * (rejected - 1)), Duration.ofMillis(Math.max(1, out.get(1))),
                    requests, tokensLeft);
        }
        Reservation shared = new Reservation(this, limits, epochs, tokens);
        shared.handles = local; // settled along with the shared one
        return new Admission.Admitted(shared, requests, tokensLeft);
    }

    private static Admission.Headroom headroom(List<Limit> limits, List<Long> out, LimitKind kind) {
        Admission.Headroom best = null;
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            if (l.kind() == kind) {
                long remaining = Math.max(0, l.max() - out.get(2 + 2 * i));
                if (best == null || remaining < best.remaining()) {
                    best = new Admission.Headroom(l.max(), remaining, Duration.ofMillis(Math.max(0, out.get(3 + 2 * i))));
                }
            }
        }
        return best;
    }

    /** {@code own}: this replica's admission by its own counters (with {@code local}), which then stands alone. */
    private Admission whileDown(RuntimeException e, long tokens, Admission own) {
        failures.increment();
        fallbackDecisions.increment();
        link.failed(e);
        return switch (failure) {
            case "open" -> new Admission.Admitted(new Reservation(this, List.of(), new long[0], tokens), null, null);
            case "closed" -> throw new LimitsUnavailable();
            default -> own;
        };
    }

    @Override
    public void settle(Reservation r, long actualTokens) {
        if (r.limits.isEmpty()) {
            return;
        }
        if (r.handles instanceof Reservation local) {
            local.settle(actualTokens);
        }
        String[] keys = new String[r.limits.size()];
        String[] args = new String[3 * r.limits.size()];
        for (int i = 0; i < r.limits.size(); i++) {
            Limit l = r.limits.get(i);
            keys[i] = prefix + l.counterKey();
            args[3 * i] = l.kind().concurrency() ? "0" : l.kind().tokens() ? "1" : "2";
            args[1 + 3 * i] = Long.toString(r.epochs[i]);
            args[2 + 3 * i] = Long.toString(actualTokens - r.reservedTokens);
        }
        try {
            link.connection().async().evalsha(settleSha(), ScriptOutputType.INTEGER, keys, args)
                    .exceptionally(e -> {
                        failures.increment();
                        log.warn("settling limits in Redis failed: {}", e.toString());
                        return null;
                    });
        } catch (RuntimeException e) {
            failures.increment();
        }
    }

    @Override
    public List<State> peek(List<Limit> limits, long nowMillis) {
        // an admission of nothing: the script reports usage without changing it
        List<State> out = new ArrayList<>(limits.size());
        if (limits.isEmpty()) {
            return out;
        }
        String[] keys = new String[limits.size()];
        String[] args = new String[1 + 4 * limits.size()];
        args[0] = Long.toString(nowMillis);
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            keys[i] = prefix + l.counterKey();
            long bucket = l.kind().concurrency() ? 0 : l.bucketMillis();
            args[1 + 4 * i] = Long.toString(Long.MAX_VALUE / 4);
            args[2 + 4 * i] = "0";
            args[3 + 4 * i] = Long.toString(bucket);
            args[4 + 4 * i] = Long.toString(bucket == 0 ? Duration.ofHours(1).toMillis() : l.window().toMillis() + bucket * 2);
        }
        try {
            List<Long> r = eval(true, keys, args);
            for (int i = 0; i < limits.size(); i++) {
                out.add(new State(limits.get(i), r.get(2 + 2 * i), Duration.ofMillis(Math.max(0, r.get(3 + 2 * i)))));
            }
            return out;
        } catch (RuntimeException e) {
            failures.increment();
            link.failed(e);
            return fallback.peek(limits, nowMillis);
        }
    }

    private List<Long> eval(boolean admit, String[] keys, String[] args) {
        try {
            return link.connection().sync().evalsha(admit ? admitSha() : settleSha(), ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) { // Redis restarted and lost its script cache
            admitSha = null;
            settleSha = null;
            return link.connection().sync().evalsha(admit ? admitSha() : settleSha(), ScriptOutputType.MULTI, keys, args);
        }
    }

    private String admitSha() {
        String s = admitSha;
        if (s == null) {
            s = admitSha = link.connection().sync().scriptLoad(admitScript);
        }
        return s;
    }

    private String settleSha() {
        String s = settleSha;
        if (s == null) {
            s = settleSha = link.connection().sync().scriptLoad(settleScript);
        }
        return s;
    }

    private static String script(String resource) {
        try (InputStream in = RedisLimiter.class.getClassLoader().getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing script " + resource, e);
        }
    }

    @Override
    public void close() {
        link.close();
    }
}
