package ai.cortensor.portal;

import ai.cortensor.portal.accounts.AccountStates;
import ai.cortensor.portal.accounts.AccountDirectory;
import ai.cortensor.portal.accounts.AccountStore;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.accounts.LogMailer;
import ai.cortensor.portal.accounts.Mailer;
import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.Organizations;
import ai.cortensor.portal.accounts.SmtpMailer;
import ai.cortensor.portal.accounts.SmtpSettings;
import ai.cortensor.portal.accounts.User;
import ai.cortensor.portal.admin.console.OperatorSessions;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.portal.Sessions;
import ai.cortensor.portal.sessions.BrowserSessions;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.notifications.Notifications;
import ai.cortensor.portal.notifications.Webhooks;
import ai.cortensor.portal.web.SignInThrottle;
import ai.cortensor.portal.admin.AccountInsight;
import ai.cortensor.portal.admin.api.AdminApi;
import ai.cortensor.portal.admin.DirectoryStore;
import ai.cortensor.portal.admin.InspectionStore;
import ai.cortensor.portal.admin.console.OperatorConsole;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Operations;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.plans.AccountPlans;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.AdmissionRules;
import ai.cortensor.portal.plans.Limiter;
import ai.cortensor.portal.plans.LocalLimiter;
import ai.cortensor.portal.plans.PlanStore;
import ai.cortensor.portal.plans.RedisLimiter;
import ai.cortensor.portal.plans.UsageHistory;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.CatalogStore;
import ai.cortensor.portal.pools.HealthProbe;
import ai.cortensor.portal.pools.PoolControl;
import ai.cortensor.portal.pools.PoolLoad;
import ai.cortensor.portal.pools.RouterClient;
import ai.cortensor.portal.portal.CustomerPortal;
import ai.cortensor.portal.dialects.messages.AnthropicEdge;
import ai.cortensor.portal.dialects.messages.CountTokensHandler;
import ai.cortensor.portal.dialects.messages.MessagesDialect;
import ai.cortensor.portal.dialects.openai.OpenAiDialect;
import ai.cortensor.portal.dialects.responses.ResponsesDialect;
import ai.cortensor.portal.dialects.responses.ResponsesHandler;
import ai.cortensor.portal.dialects.responses.StoredResponses;
import ai.cortensor.portal.gateway.Dialect;
import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.gateway.GatewayMetrics;
import ai.cortensor.portal.dialects.openai.GenerationHandler;
import ai.cortensor.portal.dialects.openai.ModelsHandler;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.usage.TokenCounter;
import ai.cortensor.portal.usage.TrafficReport;
import ai.cortensor.portal.usage.UsageLedger;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.usage.UsageStore;
import ai.cortensor.portal.web.ApiFallbacks;
import ai.cortensor.portal.web.ClientAddress;
import ai.cortensor.portal.web.ConnectionGuard;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part with {@code new}, in dependency order, and starts the HTTP server.
 * Tests, the demo and {@code serve} all start the product through {@link #start}.
 */
public final class Portal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Portal.class);
    public static final String VERSION = "0.1.0";
    /**
     * The backstop behind the change feed: a cached key or plan is reloaded in the background once it is this old
     * and used again, so a change whose notice was lost shows after at most this long (plus one request).
     */
    static final Duration CACHE_RECONCILE = Duration.ofSeconds(15);
    /** The Helidon socket name of the operators' listener. */
    private static final String MANAGEMENT = "management";

    private final Database database;
    private final ApiKeys keys;
    private final AccountStore accounts;
    private final Catalog catalog;
    private final UsageLedger ledger;
    private final WebServer server;
    private final ScheduledExecutorService background;

    private final AdmissionControl admission;
    private final AdmissionRules rules;
    private final Limiter limiter;

    private final ChangeFeed changes;
    private final PoolControl poolControl;
    private final HealthProbe probe;
    private final PoolLoad poolLoad;
    private final Operations operations;
    private final RouterClient routerClient;
    private final Gateway gateway;
    private final Billing billing;
    private final Duration shutdownDeadline;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Portal(Database database, ApiKeys keys, AccountStore accounts, Catalog catalog, UsageLedger ledger,
                   WebServer server, ScheduledExecutorService background, AdmissionControl admission,
                   AdmissionRules rules, Limiter limiter,
                   ChangeFeed changes, PoolControl poolControl, HealthProbe probe, Operations operations,
                   PoolLoad poolLoad, RouterClient routerClient, Gateway gateway, Billing billing,
                   Duration shutdownDeadline) {
        this.routerClient = routerClient;
        this.billing = billing;
        this.gateway = gateway;
        this.shutdownDeadline = shutdownDeadline;
        this.probe = probe;
        this.poolLoad = poolLoad;
        this.operations = operations;
        this.changes = changes;
        this.poolControl = poolControl;
        this.admission = admission;
        this.rules = rules;
        this.limiter = limiter;
        this.database = database;
        this.keys = keys;
        this.accounts = accounts;
        this.catalog = catalog;
        this.ledger = ledger;
        this.server = server;
        this.background = background;
    }

    /**
     * {@code portal_jvm_allocated_bytes_total}: heap bytes allocated by all threads since start, exact at every read
     * (HotSpot's per-thread TLAB accounting; virtual threads count on their carriers), unlike Micrometer's
     * {@code jvm_gc_memory_allocated_bytes_total}, which moves only at young collections. {@code bench/run.sh}
     * divides its growth over a measured window by the requests (or stream frames) served in it.
     */
    private static void bindAllocatedBytes(MeterRegistry registry) {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            FunctionCounter.builder("portal.jvm.allocated", threads, t -> t.getTotalThreadAllocatedBytes())
                    .baseUnit("bytes")
                    .description("Heap bytes allocated by all threads since the JVM started")
                    .register(registry);
        }
    }

    public static Portal start(PortalConfig config, InstantSource clock) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        bindAllocatedBytes(registry);

        Database database = Database.open(config);
        CatalogStore catalogStore = new CatalogStore(database.jdbi());
        catalogStore.bootstrap(config.pools());
        Catalog catalog = new Catalog(catalogStore, config.routerSecrets(), config.health(), clock);
        catalog.reload();
        ChangeFeed changes = new ChangeFeed(database::openDedicated, database.jdbi());
        PoolControl poolControl = new PoolControl(database.jdbi());

        SecureRandom random = new SecureRandom();
        OneTimeTokens tokens = new OneTimeTokens(random);
        ApiKeys keys = new ApiKeys(new KeyStore(database.jdbi()), random, clock, changes, CACHE_RECONCILE);
        AuditLog audit = new AuditLog(database.jdbi());
        UsageReports usageReports = new UsageReports(database.jdbi());
        AccountStore accounts = new AccountStore(database.jdbi());
        UsageStore usageStore = new UsageStore(database.jdbi());
        UsageLedger ledger = new UsageLedger(usageStore::write, config.spoolDir(), config.usage().journalFsync(),
                config.usage().journalFsyncInterval(), config.usage().queueCapacity(), config.usage().batchSize(),
                config.usage().flushInterval(), config.usage().retryInterval(), registry).start();

        Limiter limiter = limiter(config, registry, new LocalLimiter(new UsageHistory(database.jdbi())));
        PlanStore planStore = new PlanStore(database.jdbi());
        AdmissionControl admission = new AdmissionControl(planStore, limiter, clock, changes, CACHE_RECONCILE);
        GatewayMetrics gatewayMetrics = new GatewayMetrics(registry, catalog);
        RouterClient routerClient = new RouterClient(config.router());
        HealthProbe probe = new HealthProbe(catalog, routerClient, config.health().probeInterval(), clock,
                gatewayMetrics::probe);
        TokenCounter tokenCounter = new TokenCounter();
        Billing billing = new Billing(database.jdbi(), clock);
        propagate(changes, keys, admission, catalog, billing, registry);
        AdmissionRules rules = new AdmissionRules(admission, catalog, new AccountStates(accounts), billing, clock);
        Gateway gateway = new Gateway(keys, rules, catalog, routerClient,
                ledger, tokenCounter, gatewayMetrics, clock, config.http(), config.router());
        // every inference API shape runs the one pipeline; a new dialect is one more entry here
        StoredResponses storedResponses = new StoredResponses(database.jdbi(), config.responses(), clock);
        List<Dialect> dialects = List.of(OpenAiDialect.CHAT, OpenAiDialect.COMPLETIONS,
                new ResponsesDialect(storedResponses, clock), new MessagesDialect());
        ResponsesHandler storedResponseRoutes = new ResponsesHandler(keys, rules, storedResponses);
        CountTokensHandler countTokens = new CountTokensHandler(keys, rules, tokenCounter, clock,
                config.http().maxBodyBytes(), config.http().bodyTimeout());
        ModelsHandler models = new ModelsHandler(keys, rules, catalog, dialects.stream().map(Dialect::path).toList());
        SpendReports spendReports = new SpendReports(database.jdbi());
        // an id younger than the longest a request runs (plus the usage writer's retries) may not be written yet
        GenerationHandler generations = new GenerationHandler(keys, rules, spendReports, clock,
                config.router().streamTimeout().plus(Duration.ofMinutes(5)));
        Ops ops = new Ops(catalog, ledger, limiter, registry, VERSION, gateway::draining);
        AtomicReference<String> publicUrl = new AtomicReference<>(config.http().publicUrl());
        WhyBlocked whyBlocked = new WhyBlocked(rules);
        Mailer mailer = mailer(config.mail());
        Notifications notifications = new Notifications(database.jdbi(), admission, mailer, config.mail().delivers(),
                clock, config.mail().notifyInterval(), publicUrl::get, random);
        Webhooks webhooks = new Webhooks(database.jdbi(), config.webhooks(), clock, random);
        // browser sessions: one component, one table, two audiences
        AtomicReference<BrowserSessions<User>> customerSessions = new AtomicReference<>();
        OrganizationStore organizationStore = new OrganizationStore(database.jdbi());
        Accounts accountService = new Accounts(accounts, organizationStore, mailer,
                tokens, clock, publicUrl::get, new Accounts.SignOuts() {
                    @Override
                    public void endSessions(long userId) {
                        customerSessions.get().endAll(userId);
                    }

                    @Override
                    public void revokePersonalKeys(long userId, String reason) {
                        keys.revokePersonal(userId, new Actor("system", "system", null, null), reason);
                    }
                });
        customerSessions.set(new BrowserSessions<>(database.jdbi(), Sessions.POLICY, Sessions.principals(accountService),
                tokens, clock));
        Sessions sessions = new Sessions(customerSessions.get(), accountService);
        Organizations organizations = new Organizations(organizationStore, mailer, tokens, clock, publicUrl::get);
        CustomerPortal customerPortal = new CustomerPortal(config, accountService, organizations, sessions, tokens, keys,
                audit, usageReports, spendReports, catalog, gateway, admission, whyBlocked,
                new SignInThrottle(clock, SignInThrottle.Policy.DEFAULT), notifications, billing, webhooks, clock,
                publicUrl::get);
        PoolLoad poolLoad = new PoolLoad(database.jdbi(), catalog);
        OperatorStore operators = new OperatorStore(database.jdbi(), random);
        Operations operations = new Operations(new DirectoryStore(database.jdbi()), accountService,
                new InspectionStore(database.jdbi()), operators,
                new AccountInsight(admission, whyBlocked, usageReports, clock), keys, poolControl, catalog, poolLoad,
                new AccountDirectory(database.jdbi()), usageReports, new AccountPlans(planStore, admission),
                new TrafficReport(database.jdbi(), clock), billing, clock);
        AdminApi adminApi = new AdminApi(operations, operators);
        OperatorConsole operatorConsole = new OperatorConsole(operations, operators,
                new BrowserSessions<>(database.jdbi(), OperatorSessions.POLICY, OperatorSessions.principals(operators),
                        tokens, clock), tokens, new SignInThrottle(clock, SignInThrottle.Policy.DEFAULT));

        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter(ClientAddress.trusting(config.http().trustedProxies()).filter())
                .addFilter(WebHeaders.requestIdFilter(clock))
                .addFilter(AnthropicEdge.filter()) // /v1/messages*: request-id header, Anthropic-shaped 404/405
                .post(CountTokensHandler.PATH, countTokens::handle)
                .get("/v1/models", models::list)
                .any("/v1/models", ApiFallbacks::methodNotAllowed)
                .get("/v1/models/{id}", models::one)
                .any("/v1/models/{id}", ApiFallbacks::methodNotAllowed)
                .get("/v1/generation", generations::get)
                .any("/v1/generation", ApiFallbacks::methodNotAllowed)
                .get("/v1/responses/{id}", storedResponseRoutes::retrieve)
                .delete("/v1/responses/{id}", storedResponseRoutes::delete)
                .any("/v1/responses/{id}", ApiFallbacks::methodNotAllowed)
                .post("/v1/responses/{id}/cancel", storedResponseRoutes::cancel)
                .any("/v1/responses/{id}/cancel", ApiFallbacks::methodNotAllowed)
                // load balancers probe the customers' port; /metrics is only on the management listener
                .get("/health", ops::health)
                .get("/ready", ops::ready);
        for (Dialect dialect : dialects) {
            routing.post(dialect.path(), (req, res) -> gateway.handle(dialect, req, res))
                    .any(dialect.path(), ApiFallbacks::methodNotAllowed);
        }
        customerPortal.register(routing);
        adminApi.register(routing);
        operatorConsole.register(routing);
        routing.any(customerPortal::notFound) // JSON for API clients, the 404 page for browsers
                .error(Throwable.class, ApiFallbacks::unexpected);
        changes.start();
        try {
            if (!changes.awaitConnected(Duration.ofSeconds(5))) {
                log.warn("change feed not connected yet; serving anyway, it keeps retrying "
                        + "(portal_change_feed_connected is 0 until it does)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // slow or too many clients: http.max-connections, header, body and idle timeouts, on both listeners
        ConnectionGuard customersGuard = new ConnectionGuard("public", config.http(), registry);
        ConnectionGuard managementGuard = new ConnectionGuard("management", config.http(), registry);
        routing.addFeature(customersGuard); // the guards stop with their listener
        WebServer server = customersGuard.applyTo(WebServer.builder())
                .host(config.http().host())
                .port(config.http().port())
                .maxPayloadSize(-1) // the handlers enforce http.max-body-bytes with an OpenAI-shaped 413
                .shutdownHook(false) // Portal.close drains first; Helidon's own hook would cut streams after 0.5 s
                // every SSE chunk is flushed on purpose; Nagle + delayed ACK would hold each back ~40 ms
                .connectionOptions(o -> o.tcpNoDelay(true))
                .routing(routing)
                .putSocket(MANAGEMENT, s -> managementGuard.applyTo(s).host(config.management().host())
                        .port(config.management().port())
                        .routing(ops.managementRouting(clock).addFeature(managementGuard)))
                .build()
                .start();
        publicUrl.compareAndSet(null, "http://127.0.0.1:" + server.port());

        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("catalog-refresh").daemon(true).factory());
        background.scheduleWithFixedDelay(() -> {
            try {
                catalog.reload();
            } catch (RuntimeException e) {
                log.warn("catalog refresh failed; serving the last good catalog: {}", e.toString());
            }
        }, 10, 10, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(poolLoad::report, 1, 1, TimeUnit.SECONDS);
        long sweepEvery = config.responses().sweepInterval().toMillis();
        // off the scheduler's thread: a long sweep must not hold back the catalog refresh
        background.scheduleWithFixedDelay(() -> Thread.ofVirtual().name("responses-sweep")
                .start(storedResponses::sweepQuietly), Math.min(sweepEvery, 60_000), sweepEvery, TimeUnit.MILLISECONDS);
        // a hold outlives its request only when the process that admitted it died: no request runs past the
        // stream timeout, so a hold older than that (and the usage writer's retries) is released
        Duration holdAge = config.router().streamTimeout().plus(Duration.ofMinutes(10));
        background.scheduleWithFixedDelay(() -> Thread.ofVirtual().name("billing-holds").start(() -> {
            try {
                int released = billing.expireHolds(holdAge);
                if (released > 0) {
                    log.warn("released {} money holds older than {} (their requests' process ended)", released, holdAge);
                }
            } catch (RuntimeException e) {
                log.warn("expiring money holds failed: {}", e.toString());
            }
        }), 1, 1, TimeUnit.MINUTES);
        long notifyEvery = config.mail().notifyInterval().toMillis();
        // off the scheduler's thread: a slow mail server or webhook receiver must not hold back the catalog refresh
        background.scheduleWithFixedDelay(() -> Thread.ofVirtual().name("notifications")
                .start(notifications::runOnce), notifyEvery, notifyEvery, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(() -> Thread.ofVirtual().name("webhooks")
                .start(webhooks::deliverDueQuietly), notifyEvery, notifyEvery, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(() -> Thread.ofVirtual().name("webhooks-sweep").start(() -> {
            try {
                webhooks.sweep();
            } catch (RuntimeException e) {
                log.warn("deleting old webhook deliveries failed: {}", e.toString());
            }
        }), 5, 60, TimeUnit.MINUTES);
        if (!config.mail().delivers()) {
            log.warn("customer mail notifications are off: mail.smtp-host is not set, so no mail would reach anyone "
                    + "(spend alerts still go to customers' webhooks)");
        }
        probe.start();
        log.info("Cortensor Portal {} listening on http://{}:{}; management (/metrics, /health, /ready) on http://{}:{}",
                VERSION, config.http().host(), server.port(), config.management().host(), server.port(MANAGEMENT));
        return new Portal(database, keys, accounts, catalog, ledger, server, background, admission, rules, limiter, changes,
                poolControl, probe, operations, poolLoad, routerClient, gateway, billing, config.shutdownDeadline());
    }

    /**
     * Every replica follows changes made on any replica: the change feed drops what they touch from the caches,
     * and after each (re)connect of the feed, when changes may have been missed, drops everything.
     */
    private static void propagate(ChangeFeed changes, ApiKeys keys, AdmissionControl admission, Catalog catalog,
                                  Billing billing, MeterRegistry registry) {
        changes.subscribe(ChangeFeed.KEY, keys::forget);
        changes.subscribe(ChangeFeed.ACCOUNT, account -> {
            keys.forgetAccount(account);
            admission.planChanged(account);
        });
        changes.subscribe(ChangeFeed.PLAN, admission::planChanged);
        changes.subscribe(ChangeFeed.CATALOG, id -> catalog.reload());
        changes.subscribe(ChangeFeed.BUDGET, billing::budgetChanged);
        changes.onResync(billing::forgetBudgets);
        changes.onResync(keys::forgetAll);
        changes.onResync(admission::forgetAllPlans);
        changes.onResync(catalog::reload);
        Gauge.builder("portal_change_feed_connected", changes, c -> c.connected() ? 1 : 0)
                .description("1 while this replica listens for changes made on other replicas").register(registry);
        FunctionCounter.builder("portal_change_feed_notifications_total", changes, ChangeFeed::received)
                .description("Change notices received").register(registry);
        FunctionCounter.builder("portal_change_feed_resyncs_total", changes, ChangeFeed::resyncs)
                .description("Cache resyncs after the change feed (re)connected").register(registry);
        FunctionCounter.builder("portal_change_feed_publish_failures_total", changes, ChangeFeed::publishFailures)
                .description("Changes committed whose notice could not be published").register(registry);
    }

    /** SMTP when {@code mail.smtp-host} is set; else the log (with the text only in the demo). */
    private static Mailer mailer(PortalConfig.Mail m) {
        return m.toLog() ? new LogMailer(m.logText()) : new SmtpMailer(new SmtpSettings(m.host(), m.port(),
                m.username(), m.password(), m.from(), m.startTls(), Duration.ofSeconds(10)));
    }

    /** In process, or in Redis with the in-process limiter as the fallback while Redis is unreachable. */
    private static Limiter limiter(PortalConfig config, MeterRegistry registry, LocalLimiter local) {
        return config.limits().redisUrl() == null ? local
                : new RedisLimiter(config.limits().redisUrl(), config.limits().redisNamespace(),
                        config.limits().redisFailure(), local, registry);
    }

    public int port() {
        return server.port();
    }

    /** The port of the operators' listener ({@code management.port}): {@code /metrics}, {@code /health}, {@code /ready}. */
    public int managementPort() {
        return server.port(MANAGEMENT);
    }

    public ApiKeys keys() {
        return keys;
    }

    public AccountStore accounts() {
        return accounts;
    }

    public Billing billing() {
        return billing;
    }

    public Catalog catalog() {
        return catalog;
    }

    public Database database() {
        return database;
    }

    public AdmissionControl admission() {
        return admission;
    }

    /** The rules every request is admitted by (the gateway's, and "why is this blocked?"'s). */
    public AdmissionRules rules() {
        return rules;
    }

    public ChangeFeed changes() {
        return changes;
    }

    public PoolControl poolControl() {
        return poolControl;
    }

    /** The operators' service layer (admin API, CLI through the API, console). */
    public Operations operations() {
        return operations;
    }

    /**
     * Graceful shutdown. {@code /ready} turns 503 and new inference requests are refused with 503
     * {@code shutting_down} at once; requests and streams in flight get until {@code shutdown.deadline} to finish,
     * then are ended (a stream with a {@code shutting_down} error event) and recorded; then the listeners close,
     * every usage record is written (or stays in the journal for the next start) and the database closes.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        gateway.drain();
        try {
            long deadline = System.nanoTime() + shutdownDeadline.toNanos();
            if (!gateway.awaitIdle(deadline)) {
                log.warn("shutdown deadline ({}) passed with requests in flight; ending them", shutdownDeadline);
                gateway.abort();
                gateway.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway.abort();
        }
        server.stop();
        background.shutdownNow();
        poolLoad.forget();
        changes.close();
        probe.close();
        routerClient.close();
        ledger.close();
        if (limiter instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing the limiter: {}", e.toString());
            }
        }
        database.close();
    }
}
