package ai.cortensor.portal.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration: parsed once by {@link ConfigLoader}, validated, immutable. Secrets are held here and only
 * here; {@link #describe()} is the one rendering of it, with every secret masked.
 */
public record PortalConfig(Http http, Database database, Router router, Health health, Usage usage, Limits limits,
                           Mail mail, Oidc oidc, Path dataDir, Map<String, PoolSpec> pools, Map<String, String> routerSecrets,
                           Responses responses, Management management, Duration shutdownDeadline,
                           Support support, Webhooks webhooks) {

    public PortalConfig {
        pools = Map.copyOf(pools);
        routerSecrets = Map.copyOf(routerSecrets);
    }

    /**
     * The customers' listener. {@code port} 0 picks a free port. {@code publicUrl} is how customers reach the portal
     * (links in mails, snippets); null means {@code http://127.0.0.1:<port>}. {@code maxInFlight} bounds the
     * inference requests this replica serves at once: past it a request is answered at once with 503
     * {@code overloaded} and {@code Retry-After} instead of queueing for a CPU or a router connection until every
     * request times out.
     *
     * <p>Slow clients: {@code maxConnections} bounds open connections (more are answered 503 and closed at once);
     * a request's line and headers must arrive within {@code headerTimeout} of its first byte, its body within
     * {@code bodyTimeout} of its headers (else 408 {@code request_timeout}, or the connection is closed); a
     * connection with no request for {@code idleTimeout} is closed. {@code trustedProxies}: addresses or CIDR ranges
     * whose {@code X-Forwarded-For} names the client (empty: the TCP peer is the client).
     */
    public record Http(String host, int port, long maxBodyBytes, String publicUrl, int maxInFlight, int maxConnections,
                       Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout, List<String> trustedProxies) {}

    /**
     * The operators' listener: {@code /metrics} (only here), {@code /health} and {@code /ready}. {@code port} 0 picks
     * a free port (tests with several replicas in one JVM).
     */
    public record Management(String host, int port) {}

    /**
     * Where limits are counted: in this process ({@code redisUrl} null) or in Redis shared by every replica.
     * {@code redisFailure}: what to do while Redis is unreachable — {@code local} (count in this process),
     * {@code open} (admit without counting) or {@code closed} (refuse with 503).
     */
    public record Limits(String redisUrl, String redisFailure, String redisNamespace) {}

    /**
     * SMTP for account mails; {@code host} null means mails are written to the log (local demo).
     * {@code notifyInterval}: how often each replica writes and sends customer notifications.
     */
    public record Mail(String host, int port, String username, String password, String from, boolean startTls,
                       boolean logText, Duration notifyInterval) {
        public boolean toLog() { return host == null; }

        /** Whether a mail goes anywhere: to an SMTP server, or (demo) its text to the log. */
        public boolean delivers() { return host != null || logText; }
    }

    /**
     * Customers' alert webhooks. An attempt gets {@code timeout} to connect and answer (its body is not read);
     * a failed one is tried again after {@code retryBase}, doubling (with jitter) up to 2 h, {@code maxAttempts} in
     * all; each replica sends at most {@code concurrency} at once. {@code allowLocalUrls} accepts URLs on this machine
     * or private networks, and plain {@code http://} to this machine — for development and tests only: in production
     * it would let a customer make the portal call internal services.
     */
    public record Webhooks(Duration timeout, int maxAttempts, Duration retryBase, int concurrency,
                           boolean allowLocalUrls) {}

    /**
     * Where customers get help: {@code email} ({@code portal.support-email}) is shown where the portal says to
     * contact support, e.g. to a paused account; null shows no address.
     */
    public record Support(String email) {}

    /** One OpenID Connect provider for "Sign in with …"; {@code issuer} null turns it off. */
    public record Oidc(String issuer, String clientId, String clientSecret, String name) {
        public boolean enabled() { return issuer != null; }
    }

    /** {@code url} null means: run the embedded PostgreSQL under {@code dataDir/pg}. */
    public record Database(String url, String user, String password, int poolSize, int embeddedPort) {
        public boolean embedded() { return url == null; }
    }

    /**
     * Router calls: connect timeout, idle read timeout, the whole-request timeout passed to the router (and the
     * deadline of a whole answer), and the longest a stream may run ({@code streamTimeout}). A request
     * whose router fails before the first byte is tried on another target, at most {@code maxAttempts} times in
     * all, and no new attempt starts once {@code failoverBudget} has passed since the first.
     */
    public record Router(Duration connectTimeout, Duration readTimeout, Duration requestTimeout,
                         Duration streamTimeout, int maxAttempts, Duration failoverBudget,
                         int structuredOutputAttempts) {}

    /**
     * Target health. A target is ejected after {@code ejectAfterFailures} failures in a row, or when at least
     * {@code ejectErrorRate} of at least {@code minRequests} requests in the last {@code window} failed; it stays
     * out for {@code ejection} (doubling per repeated ejection up to {@code maxEjection}), then one trial request
     * (half-open) decides. Targets are probed every {@code probeInterval} ({@code /api/v1/ping} or
     * {@code /v1/models}); a pool whose healthy share of weight falls below {@code degradedBelow} is degraded.
     */
    public record Health(int ejectAfterFailures, double ejectErrorRate, int minRequests, Duration window,
                         Duration ejection, Duration maxEjection, Duration probeInterval, double degradedBelow) {
        public static Health defaults() {
            return new Health(5, 0.5, 20, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60),
                    Duration.ofSeconds(5), 0.5);
        }
    }

    /**
     * Stored responses of the Responses API ({@code store}, {@code previous_response_id}, {@code GET/DELETE
     * /v1/responses/{id}}), kept in PostgreSQL. {@code storage} false turns storing off entirely; a stored response
     * is visible for {@code retention} after it was created and deleted by a sweep every {@code sweepInterval}.
     */
    public record Responses(boolean storage, Duration retention, Duration sweepInterval) {}

    /** The metering queue and its disk spool (under {@code dataDir/spool}). */
    public record Usage(int queueCapacity, int batchSize, Duration flushInterval, Duration retryInterval,
                        String journalFsync, Duration journalFsyncInterval) {}

    /**
     * A pool bootstrapped from configuration into the database at start: its targets, the models it serves first
     * ({@code models}) and the models it is the fallback pool for ({@code fallbackFor}).
     */
    public record PoolSpec(String name, List<TargetSpec> targets, List<String> models, List<String> fallbackFor) {
        public PoolSpec {
            targets = List.copyOf(targets);
            models = List.copyOf(models);
            fallbackFor = List.copyOf(fallbackFor);
        }
    }

    public record TargetSpec(String name, String protocol, String baseUrl, Long sessionId, String keyRef, int weight,
                             int maxConcurrency) {}

    public Path spoolDir() { return dataDir.resolve("spool"); }

    public Path embeddedPgDir() { return dataDir.resolve("pg"); }

    /** A multi-line description for the start-up log; secrets are masked. */
    public String describe() {
        StringBuilder b = new StringBuilder("configuration:");
        b.append("\n  http.host=").append(http.host())
         .append("\n  http.port=").append(http.port())
         .append("\n  http.max-body-bytes=").append(http.maxBodyBytes())
         .append("\n  http.max-in-flight=").append(http.maxInFlight())
         .append("\n  http.public-url=").append(http.publicUrl() == null ? "" : http.publicUrl())
         .append("\n  http.max-connections=").append(http.maxConnections())
         .append("\n  http.header-timeout=").append(http.headerTimeout())
         .append("\n  http.body-timeout=").append(http.bodyTimeout())
         .append("\n  http.idle-timeout=").append(http.idleTimeout())
         .append("\n  management.host=").append(management.host())
         .append("\n  management.port=").append(management.port())
         .append("\n  data.dir=").append(dataDir)
         .append("\n  database.url=").append(database.embedded() ? "(embedded)" : maskUrl(database.url()))
         .append("\n  database.user=").append(database.user() == null ? "" : database.user())
         .append("\n  database.password=").append(mask(database.password()))
         .append("\n  database.pool-size=").append(database.poolSize())
         .append("\n  router.connect-timeout=").append(router.connectTimeout())
         .append("\n  router.read-timeout=").append(router.readTimeout())
         .append("\n  router.request-timeout=").append(router.requestTimeout())
         .append("\n  router.stream-timeout=").append(router.streamTimeout())
         .append("\n  router.max-attempts=").append(router.maxAttempts())
         .append("\n  router.failover-budget=").append(router.failoverBudget())
         .append("\n  router.structured-output-attempts=").append(router.structuredOutputAttempts())
         .append("\n  health.eject-after-failures=").append(health.ejectAfterFailures())
         .append("\n  health.eject-error-rate=").append(health.ejectErrorRate())
         .append("\n  health.min-requests=").append(health.minRequests())
         .append("\n  health.window=").append(health.window())
         .append("\n  health.ejection=").append(health.ejection())
         .append("\n  health.max-ejection=").append(health.maxEjection())
         .append("\n  health.probe-interval=").append(health.probeInterval())
         .append("\n  health.degraded-below=").append(health.degradedBelow())
         .append("\n  usage.queue-capacity=").append(usage.queueCapacity())
         .append("\n  usage.batch-size=").append(usage.batchSize())
         .append("\n  usage.flush-interval=").append(usage.flushInterval())
         .append("\n  usage.retry-interval=").append(usage.retryInterval())
         .append("\n  usage.journal-fsync=").append(usage.journalFsync())
         .append("\n  usage.journal-fsync-interval=").append(usage.journalFsyncInterval())
         .append("\n  shutdown.deadline=").append(shutdownDeadline)
         .append("\n  portal.support-email=").append(support.email() == null ? "" : support.email())
         .append("\n  responses.storage=").append(responses.storage())
         .append("\n  responses.retention=").append(responses.retention())
         .append("\n  responses.sweep-interval=").append(responses.sweepInterval())
         .append("\n  limits.redis-url=").append(limits.redisUrl() == null ? "(in process)" : maskUrl(limits.redisUrl()))
         .append("\n  limits.redis-failure=").append(limits.redisFailure())
         .append("\n  limits.redis-namespace=").append(limits.redisNamespace())
         .append("\n  mail.smtp-host=").append(mail.toLog() ? "(log)" : mail.host())
         .append("\n  mail.smtp-port=").append(mail.port())
         .append("\n  mail.smtp-username=").append(mail.username() == null ? "" : mail.username())
         .append("\n  mail.smtp-password=").append(mask(mail.password()))
         .append("\n  mail.from=").append(mail.from())
         .append("\n  mail.log-text=").append(mail.logText())
         .append("\n  webhooks.timeout=").append(webhooks.timeout())
         .append("\n  webhooks.max-attempts=").append(webhooks.maxAttempts())
         .append("\n  webhooks.retry-base=").append(webhooks.retryBase())
         .append("\n  webhooks.concurrency=").append(webhooks.concurrency())
         .append("\n  webhooks.allow-local-urls=").append(webhooks.allowLocalUrls())
         .append("\n  oidc.issuer=").append(oidc.enabled() ? oidc.issuer() : "")
         .append("\n  oidc.client-id=").append(oidc.clientId() == null ? "" : oidc.clientId())
         .append("\n  oidc.client-secret=").append(mask(oidc.clientSecret()));
        pools.values().forEach(p -> p.targets().forEach(t -> b.append("\n  pool.").append(p.name())
                .append(".target ").append(t.name()).append(' ').append(t.protocol()).append(' ')
                .append(t.baseUrl()).append(" session=").append(t.sessionId()).append(" key=").append(t.keyRef())
                .append(" weight=").append(t.weight()).append(" max=").append(t.maxConcurrency())));
        pools.values().forEach(p -> {
            if (!p.models().isEmpty()) {
                b.append("\n  pool.").append(p.name()).append(".models=").append(String.join(", ", p.models()));
            }
            if (!p.fallbackFor().isEmpty()) {
                b.append("\n  pool.").append(p.name()).append(".fallback-for=").append(String.join(", ", p.fallbackFor()));
            }
        });
        routerSecrets.forEach((k, v) -> b.append("\n  router.secret.").append(k).append('=').append(mask(v)));
        return b.toString();
    }

    static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "" : "****";
    }

    /** Hides a password embedded in a JDBC URL ({@code password=...} or {@code user:pass@}). */
    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****").replaceAll("//([^/:@]*):[^@/]*@", "//$1:****@");
    }
}
