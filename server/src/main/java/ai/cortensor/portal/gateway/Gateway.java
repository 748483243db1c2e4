package ai.cortensor.portal.gateway;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.families.OutputSink;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.Outcome.Blocked;
import ai.cortensor.portal.gateway.Outcome.Cancelled;
import ai.cortensor.portal.gateway.Outcome.Completed;
import ai.cortensor.portal.gateway.Outcome.Failed;
import ai.cortensor.portal.gateway.Outcome.Forwarding;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.Authentication;
import ai.cortensor.portal.billing.Hold;
import ai.cortensor.portal.plans.Admission;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.AdmissionRules;
import ai.cortensor.portal.plans.LimitsUnavailable;
import ai.cortensor.portal.plans.Refusal;
import ai.cortensor.portal.plans.Reservation;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.pools.Prices;
import ai.cortensor.portal.pools.Pool;
import ai.cortensor.portal.pools.RouterClient;
import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.pools.TargetHealth;
import ai.cortensor.portal.usage.RequestRecord;
import ai.cortensor.portal.usage.TokenCounter;
import ai.cortensor.portal.usage.UsageLedger;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The request path of every inference dialect, top to bottom in {@link #run}: dialect.parse → authenticate →
 * admit → resolve → render → forward → decode → encode → settle → record (docs: DESIGN §1). Every request, however
 * it ends, ends as one {@link Outcome}, from which its reservation is settled, its error (if any) is answered in the
 * dialect's shape, and its one {@link RequestRecord} is built.
 */
public final class Gateway {
    private static final int MAX_ROUTER_BODY = 16 << 20;
    private static final ApiError INTERNAL = ApiError.server(500, "internal_error", "Internal error.");
    private static final ApiError OVERLOADED = new ApiError(503, "server_error", "overloaded", null,
            "This server is at its limit of requests in flight. Please retry shortly.", 1L);
    private static final ApiError SHUTTING_DOWN = new ApiError(503, "server_error", "shutting_down", null,
            "This server is restarting. Please retry the request; another server will take it.", 1L);

    private final ApiKeys keys;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Gateway.class);
    private final AdmissionRules rules;
    private final Catalog catalog;
    private final RouterClient router;
    private final UsageLedger ledger;
    private final TokenCounter tokens;
    private final GatewayMetrics metrics;
    private final InstantSource clock;
    private final long maxBodyBytes;
    private final Duration bodyTimeout;
    private final int maxInFlight;
    /** Inference requests this replica is serving now (admitted past the in-flight bound, not yet recorded). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Router calls open now, so a shutdown past its deadline can cancel them. */
    private final Set<RouterClient.Call> calls = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile boolean aborting;
    private final long routerTimeoutSeconds;
    private final int maxAttempts;
    private final long failoverBudgetNanos;
    private final int structuredAttempts;

    public Gateway(ApiKeys keys, AdmissionRules rules, Catalog catalog, RouterClient router,
                   UsageLedger ledger, TokenCounter tokens, GatewayMetrics metrics, InstantSource clock,
                   PortalConfig.Http http, PortalConfig.Router routerConfig) {
        this.keys = keys;
        this.rules = rules;
        this.catalog = catalog;
        this.router = router;
        this.ledger = ledger;
        this.tokens = tokens;
        this.metrics = metrics;
        this.clock = clock;
        this.maxBodyBytes = http.maxBodyBytes();
        this.bodyTimeout = http.bodyTimeout();
        this.maxInFlight = http.maxInFlight();
        metrics.inFlight(inFlight);
        this.routerTimeoutSeconds = routerConfig.requestTimeout().toSeconds();
        this.maxAttempts = routerConfig.maxAttempts();
        this.failoverBudgetNanos = routerConfig.failoverBudget().toNanos();
        this.structuredAttempts = routerConfig.structuredOutputAttempts();
    }

    public void handle(Dialect dialect, ServerRequest req, ServerResponse res) {
        run(dialect, req, res, null);
    }

    /** The same path for a caller the portal has already identified (the playground): no credential header. */
    public void handleAs(ApiKey key, Dialect dialect, ServerRequest req, ServerResponse res) {
        run(dialect, req, res, key);
    }

    private void run(Dialect dialect, ServerRequest req, ServerResponse res, ApiKey preAuthenticated) {
        long startNanos = System.nanoTime();
        String requestId = WebHeaders.requestId(res);
        Instant acceptedAt = clock.instant();
        Reservation reservation = null;
        Closing closing = new Closing(dialect, requestId, acceptedAt, startNanos);
        Outcome outcome = new Failed(INTERNAL, null, null, false); // unless a stage below says otherwise
        try {
            if (inFlight.incrementAndGet() > maxInFlight) {
                throw OVERLOADED; // before the body is read: refusing must cost next to nothing
            }
            if (draining) {
                throw SHUTTING_DOWN;
            }
            ApiKey key = preAuthenticated != null ? preAuthenticated : identify(keys, dialect.credential(req));
            closing.key = key;
            checkKey(rules, key);
            Exchange exchange = dialect.parse(BoundedBody.request(req, maxBodyBytes, bodyTimeout), key);
            closing.request = exchange.request();
            Plan plan = plan(requestId, startNanos, acceptedAt, key, exchange, closing);
            Admission decision = admit(res, key, plan.estimatedTokens());
            switch (decision) {
                case Admission.Rejected r -> outcome = new Blocked(Refusals.error(AdmissionRules.refusal(r)),
                        r.limit().kind().key());
                case Admission.Admitted a -> {
                    reservation = a.reservation();
                    closing.prices = plan.model().prices(); // in force at admission: a later change is not retroactive
                    Hold hold = hold(requestId, key, plan);
                    BudgetHeaders.set(res, hold);
                    switch (hold) {
                        case Hold.Refused r -> outcome = new Blocked(Refusals.error(rules.refusal(r)),
                                r.budget() == null ? null : r.budget().counter());
                        case Hold.Held h -> {
                            closing.held = true;
                            outcome = serve(res, exchange, plan, new ResponseMeta(requestId, acceptedAt,
                                    plan.model().alias()));
                        }
                        case Hold.None n -> outcome = serve(res, exchange, plan, new ResponseMeta(requestId,
                                acceptedAt, plan.model().alias()));
                    }
                }
            }
        } catch (ApiError e) {
            outcome = new Blocked(e, null);
        } finally {
            try {
                settle(dialect, res, requestId, startNanos, reservation, closing, outcome);
            } finally {
                inFlight.decrementAndGet(); // last: a shutdown waiting for zero finds every record handed over
            }
        }
    }

    /**
     * Everything derived from the outcome: the reservation settled, the record handed over (before an error's
     * bytes: they end the response too), the error sent, the metrics. A RuntimeException (a bug) left the initial
     * Failed outcome; the routing error handler answers it.
     */
    private void settle(Dialect dialect, ServerResponse res, String requestId, long startNanos, Reservation reservation,
                        Closing closing, Outcome outcome) {
        if (reservation != null) {
            reservation.settle(outcome.served() ? outcome.usage().totalTokens() : 0);
        }
        RequestRecord record = closing.finish(outcome);
        try {
            switch (outcome) {
                case Blocked b -> sendError(res, dialect, b.error(), requestId);
                case Failed f when !f.reported() && f.error() != INTERNAL -> sendError(res, dialect, f.error(), requestId);
                default -> { }
            }
        } catch (UncheckedIOException e) {
            // the client is gone (a body timeout closes its connection first); the record is handed over already
        }
        long endNanos = System.nanoTime();
        Forwarding f = outcome.forwarding();
        metrics.request(record, endNanos - startNanos, f == null || f.firstByteNanos() == 0 ? 0
                : f.firstByteNanos() - startNanos);
    }

    // ---- shutdown -------------------------------------------------------------------------------------------

    /** Shutdown, step one: every new request is refused with 503 {@code shutting_down}; those in flight go on. */
    public void drain() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Waits until no request is in flight or {@code deadlineNanos} (a {@link System#nanoTime()}) passes. */
    public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (inFlight.get() > 0) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Shutdown past its deadline: every request still running ends now — its router call is cancelled, a stream
     * gets a {@code shutting_down} error event, a whole answer a 503 — and is recorded with the usage metered so far.
     */
    public void abort() {
        aborting = true;
        calls.forEach(RouterClient.Call::cancel);
    }

    // ---- authenticate ---------------------------------------------------------------------------------------

    /**
     * The key behind {@code credential} (an {@code Authorization} value) that the admission rules let through: 401
     * for no key, an unknown key or a wrong secret, then the rules' refusal of the key (revoked, expired: 401;
     * its account paused: 403). Shared with the routes beside the pipeline (stored responses, count_tokens,
     * models), so every route refuses keys alike.
     */
    public static ApiKey authenticate(ApiKeys keys, AdmissionRules rules, String credential) {
        ApiKey key = identify(keys, credential);
        checkKey(rules, key);
        return key;
    }

    private static ApiKey identify(ApiKeys keys, String credential) {
        return switch (keys.identify(credential)) {
            case Authentication.Denied d -> throw new ApiError(401, "authentication_error", d.code(), null, d.message(),
                    null);
            case Authentication.Authenticated a -> a.key();
        };
    }

    /** The rules' refusal of the key itself or of its account, as the error every dialect answers. */
    private static void checkKey(AdmissionRules rules, ApiKey key) {
        var refusal = rules.key(key);
        if (refusal.isPresent()) {
            throw Refusals.error(refusal.get());
        }
    }

    // ---- resolve and render ---------------------------------------------------------------------------------

    /** What every attempt of one admitted request shares. */
    private record Plan(String requestId, long startNanos, InferenceRequest request, Model model, List<Pool> route,
                        Turn turn, int maxTokens, Closing closing) {
        /** The reservation's worst case: prompt characters / 4 + the output limit. */
        long estimatedTokens() {
            return turn.prompt().length() / 4 + 1 + maxTokens;
        }
    }

    private Plan plan(String requestId, long startNanos, Instant acceptedAt, ApiKey key, Exchange exchange,
                      Closing closing) {
        InferenceRequest request = exchange.request();
        AdmissionRules.ModelLookup found = rules.lookup(request.model());
        if (found.refusal() != null) {
            throw Refusals.error(found.refusal()); // unknown, disabled or paused
        }
        Model model = found.model();
        int maxTokens = request.maxTokens() == null ? model.maxOutputTokens() : request.maxTokens();
        if (maxTokens > model.maxOutputTokens()) {
            throw ApiError.invalidRequest("invalid_value", request.maxTokensParam(), "'" + request.maxTokensParam()
                    + "' is too large: " + maxTokens + ". The model '" + model.alias() + "' allows at most "
                    + model.maxOutputTokens() + ".");
        }
        Turn turn;
        try {
            turn = request.conversation() == null ? new RawTurn(request.prompt())
                    : ChatTurn.prepare(model.family(), model.alias(), request.conversation(),
                            LocalDate.ofInstant(acceptedAt, ZoneOffset.UTC), request.stream());
        } catch (ApiError e) {
            throw e.param() == null ? e : e.withParam(exchange.field(e.param()));
        }
        checkContext(model, turn.prompt(), maxTokens, request);
        List<Pool> route = switch (rules.serve(model, AdmissionControl.AccountRef.of(key))) {
            case AdmissionRules.ModelDecision.Refused r -> throw Refusals.error(r.refusal()); // plan, or no capacity
            case AdmissionRules.ModelDecision.Servable s -> s.route();
        };
        return new Plan(requestId, startNanos, request, model, route, turn, maxTokens, closing);
    }

    /** Exact only when it matters: UTF-8 bytes bound the token count, so the tokenizer runs only near the limit. */
    private void checkContext(Model model, String prompt, int maxTokens, InferenceRequest request) {
        long bound = (long) prompt.length() * 3; // a char is at most 3 UTF-8 bytes, a token at least 1 byte
        if (bound + maxTokens <= model.contextLength()) {
            return;
        }
        int promptTokens = tokens.count(prompt);
        if (promptTokens + (long) maxTokens > model.contextLength()) {
            throw ApiError.invalidRequest("context_length_exceeded", request.inputParam(), "This model's maximum "
                    + "context length is " + model.contextLength() + " tokens. However, you requested "
                    + (promptTokens + maxTokens) + " tokens (" + promptTokens + " in the prompt, " + maxTokens
                    + " for the completion). Please reduce the length of the prompt or '" + request.maxTokensParam()
                    + "'.");
        }
    }

    // ---- admit ----------------------------------------------------------------------------------------------

    /**
     * The estimate reserved against every limit of the key and its account; the x-ratelimit headers are set either
     * way.
     */
    private Admission admit(ServerResponse res, ApiKey key, long estimatedTokens) {
        Admission decision;
        try {
            decision = rules.admit(key, estimatedTokens);
        } catch (LimitsUnavailable e) {
            throw Refusals.error(new Refusal.LimitsUnavailable());
        }
        switch (decision) {
            case Admission.Admitted a -> RateHeaders.set(res, a.requests(), a.tokens());
            case Admission.Rejected r -> RateHeaders.set(res, r.requests(), r.tokens());
        }
        return decision;
    }

    /**
     * Money for an admitted request: its worst-case cost — every prompt byte a token (no tokenizer makes more) and
     * the whole output limit — held against the account's prepaid credits and its budgets, or nothing to hold.
     */
    private Hold hold(String requestId, ApiKey key, Plan plan) {
        long promptBound = plan.turn().prompt().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 16L;
        try {
            return rules.hold(requestId, key, plan.model().prices().worstCase(promptBound, plan.maxTokens()));
        } catch (RuntimeException e) {
            log.warn("could not hold money for {}: {}", requestId, e.toString());
            throw Refusals.error(new Refusal.BillingUnavailable());
        }
    }

    // ---- forward, decode, encode ----------------------------------------------------------------------------

    /**
     * Runs an admitted request. A validated answer (JSON response format, forced tool call without streaming) is
     * asked for whole and checked, and asked for again with the reason when it fails; a plain answer is relayed
     * as the router streams it, or read whole, and encoded in the client's dialect.
     */
    private Outcome serve(ServerResponse res, Exchange exchange, Plan plan, ResponseMeta meta) {
        Attempts attempts = new Attempts();
        if (plan.turn().validates()) {
            return validated(res, exchange, plan, meta, attempts);
        }
        if (plan.request().stream()) {
            return streamed(res, exchange, plan, meta, attempts);
        }
        return switch (forward(plan, plan.turn(), null, attempts)) {
            case Forwarded.Answered a -> deliver(res, exchange, plan, meta, plan.turn().parse(a.reply().text(),
                    "length".equals(a.reply().finishReason())), meter(plan.turn(), a.reply()),
                    attempts.forwarding(a.firstByteNanos()));
            case Forwarded.NotServed n -> notServed(n, attempts);
            case Forwarded.Streamed s -> throw new IllegalStateException("a whole answer was streamed");
        };
    }

    /**
     * At most {@code router.structured-output-attempts} whole answers, each checked; every attempt is metered and
     * the usage is their sum.
     */
    private Outcome validated(ServerResponse res, Exchange exchange, Plan plan, ResponseMeta meta,
                              Attempts attempts) {
        Turn turn = plan.turn();
        Usage total = null;
        long firstByte = 0;
        for (int n = 1; ; n++) {
            Forwarded.Answered a;
            switch (forward(plan, turn, null, attempts)) {
                case Forwarded.Answered answered -> a = answered;
                case Forwarded.NotServed ns -> {
                    return total == null ? notServed(ns, attempts)
                            : new Failed(ns.error(), total, attempts.forwarding(firstByte), false);
                }
                case Forwarded.Streamed s -> throw new IllegalStateException("a validated answer was streamed");
            }
            firstByte = firstByte == 0 ? a.firstByteNanos() : firstByte;
            total = plus(total, meter(turn, a.reply()));
            ParsedOutput answer = turn.parse(a.reply().text(), "length".equals(a.reply().finishReason()));
            String problem = turn.problem(answer);
            if (problem == null) {
                return deliver(res, exchange, plan, meta, answer, total, attempts.forwarding(firstByte));
            }
            if (n >= structuredAttempts) {
                return new Failed(new ApiError(422, "invalid_request_error", "structured_output_failed",
                        exchange.field("response_format"), "The model did not produce a valid answer in " + n + " attempts (last: "
                        + problem + "). All attempts are billed; simplify the schema or the request and retry.",
                        null), total, attempts.forwarding(firstByte), false);
            }
            turn = turn.retry(answer, problem);
        }
    }

    /** A whole answer: the dialect's JSON body, or its events when the client asked for a stream. */
    private Outcome deliver(ServerResponse res, Exchange exchange, Plan plan, ResponseMeta meta, ParsedOutput answer,
                            Usage metered, Forwarding forwarding) {
        Usage usage = withReasoning(metered, answer.reasoning(), exchange);
        if (!plan.request().stream()) {
            byte[] body = exchange.body(answer, usage, meta);
            res.status(200);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.header(WebHeaders.PROCESSING_MS, Long.toString((System.nanoTime() - plan.startNanos()) / 1_000_000));
            Completed done = plan.closing().beforeLastBytes(new Completed(usage, forwarding, answer.finishReason()));
            try {
                res.send(body);
                return done;
            } catch (RuntimeException e) {
                return new Cancelled(usage, forwarding); // served and metered; the client left first
            }
        }
        try (EventStream out = EventStream.of(res)) {
            StreamEncoder encoder = exchange.stream(meta, out);
            out.deferFlushes(true); // the whole answer's events leave in one flush
            new EncoderSink(encoder, plan.turn().maxToolCalls(), false).replay(answer);
            Completed done = plan.closing().beforeLastBytes(new Completed(usage, forwarding, answer.finishReason()));
            encoder.finish(answer.finishReason(), usage);
            out.deferFlushes(false);
            return out.gone() ? new Cancelled(usage, forwarding) : done;
        }
    }

    /** A streamed answer: the router's text decoded by the family's parser and encoded as it arrives. */
    private Outcome streamed(ServerResponse res, Exchange exchange, Plan plan, ResponseMeta meta, Attempts attempts) {
        try (EventStream out = EventStream.of(res)) {
            StreamEncoder encoder = exchange.stream(meta, out);
            Relay relay = new Relay(encoder, out, exchange.reportsReasoningTokens());
            return switch (forward(plan, plan.turn(), relay, attempts)) {
                case Forwarded.Streamed s -> {
                    StreamRelay.Result r = s.result();
                    Usage usage = withReasoning(meter(plan.turn(), r.text(), r.promptTokens(), r.completionTokens()),
                            s.sink().reasoning(), exchange);
                    Forwarding forwarding = attempts.forwarding(r.firstByteNanos());
                    yield switch (r.outcome()) {
                        case COMPLETED -> {
                            String finish = s.sink().calls > 0 ? "tool_calls" : r.finishReason();
                            Completed done = plan.closing().beforeLastBytes(new Completed(usage, forwarding, finish));
                            encoder.finish(finish, usage);
                            yield out.gone() ? new Cancelled(usage, forwarding) : done;
                        }
                        case CLIENT_GONE -> new Cancelled(usage, forwarding);
                        case ROUTER_CUT, ROUTER_TIMEOUT -> {
                            ApiError error = aborting ? SHUTTING_DOWN : r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT
                                    ? ApiError.server(504, "router_timeout",
                                            "The inference backend stopped answering before the response was complete.")
                                    : ApiError.server(502, "router_stream_interrupted",
                                            "The inference backend stopped before the response was complete.");
                            Failed failed = plan.closing().beforeLastBytes(new Failed(error, usage, forwarding, true));
                            encoder.fail(error, usage);
                            yield failed;
                        }
                    };
                }
                case Forwarded.NotServed n -> notServed(n, attempts);
                case Forwarded.Answered a -> throw new IllegalStateException("a streamed answer was read whole");
            };
        }
    }

    /** No router answered: failed, or blocked when there was no target to try at all. */
    private static Outcome notServed(Forwarded.NotServed n, Attempts attempts) {
        return attempts.none() ? new Blocked(n.error(), null) : new Failed(n.error(), null, attempts.forwarding(0), false);
    }

    /** How the forwarding of one answer ended. */
    private sealed interface Forwarded {
        /** A router's whole (non-streaming) answer. */
        record Answered(RouterReply reply, long firstByteNanos) implements Forwarded {}

        /** A router stream relayed to the client; however it ended, no other target may take over. */
        record Streamed(StreamRelay.Result result, EncoderSink sink) implements Forwarded {}

        /** No target answered: every attempt failed before anything reached the client, or a router refused it. */
        record NotServed(ApiError error) implements Forwarded {}
    }

    /** How one attempt on one target went: its outcome for the request log and what it says about the target. */
    private sealed interface AttemptResult {
        String outcome();

        TargetHealth.Outcome health();

        /** The request is answered (or definitively refused) by this attempt. */
        record Final(Forwarded forwarded, String outcome, TargetHealth.Outcome health) implements AttemptResult {}

        /** Nothing reached the client: another target may be tried. */
        record Retry(ApiError error, String outcome, TargetHealth.Outcome health) implements AttemptResult {}
    }

    /** Where a streamed attempt writes: the request's encoder and the client's stream. */
    private record Relay(StreamEncoder encoder, EventStream out, boolean countReasoning) {}

    /**
     * Sends the request to a target picked from the model's pools in order, and tries another target (of the same
     * pool first, then of a fallback pool) when one fails before anything reached the client: a connect error, a
     * timeout, an error status other than the router rejecting the request itself, or a stream that ended before
     * its first token. At most {@code router.max-attempts} tries; none starts after {@code router.failover-budget}.
     */
    private Forwarded forward(Plan plan, Turn turn, Relay relay, Attempts attempts) {
        Set<Long> tried = new HashSet<>(4);
        long budgetEnd = System.nanoTime() + failoverBudgetNanos;
        ApiError last = null;
        for (int n = 0; n < maxAttempts && (n == 0 || System.nanoTime() < budgetEnd) && !aborting; n++) {
            TargetHealth member = null;
            for (Pool p : plan.route()) {
                member = p.select(tried, ThreadLocalRandom.current());
                if (member != null) {
                    break;
                }
            }
            if (member == null) {
                break;
            }
            RouterTarget target = member.target();
            tried.add(target.id());
            attempts.started(target, clock.instant());
            long t0 = System.nanoTime();
            member.start();
            AttemptResult result = null;
            try {
                result = attempt(plan, target, turn, relay);
            } finally {
                String outcome = result == null ? "cancelled" : result.outcome();
                boolean ejected = member.finish(result == null ? TargetHealth.Outcome.NEUTRAL : result.health());
                attempts.add(new RequestRecord.Attempt(target.pool(), target.name(), outcome,
                        (int) ((System.nanoTime() - t0) / 1_000_000)));
                metrics.attempt(target, outcome, ejected);
            }
            switch (result) {
                case AttemptResult.Final f -> {
                    return f.forwarded();
                }
                case AttemptResult.Retry r -> last = r.error();
            }
        }
        // no target could be tried (the pools emptied since admission): the rules' answer for no capacity
        return new Forwarded.NotServed(aborting ? SHUTTING_DOWN : last != null ? last
                : Refusals.error(rules.unavailable(plan.model())));
    }

    private static final ApiError ROUTER_TIMEOUT = ApiError.server(504, "router_timeout",
            "The inference backend did not answer in time.");

    /** One attempt on one target: the router's whole answer, or (with a relay) its stream decoded to the client. */
    private AttemptResult attempt(Plan plan, RouterTarget target, Turn turn, Relay relay) {
        byte[] body = RouterBodies.completion(target, plan.model().alias(), turn.prompt(), plan.request().sampling(),
                relay != null, plan.maxTokens(), plan.requestId(), routerTimeoutSeconds);
        RouterClient.Call call;
        try {
            call = router.post(target, body, relay != null);
        } catch (RouterClient.RouterFailure f) {
            return f.timeout() ? new AttemptResult.Retry(ROUTER_TIMEOUT, "timeout", TargetHealth.Outcome.FAILURE)
                    : new AttemptResult.Retry(ApiError.server(502, "router_unavailable",
                            "The inference backend could not be reached."), "connect_error", TargetHealth.Outcome.FAILURE);
        }
        calls.add(call);
        if (aborting) {
            call.cancel();
        }
        try (call) {
            if (call.status() != 200) {
                ApiError error = RouterErrors.map(call.status());
                String outcome = "http_" + call.status();
                if (call.status() == 400 || call.status() == 422 || call.status() == 413) {
                    // the same request would be rejected anywhere
                    return new AttemptResult.Final(new Forwarded.NotServed(error), outcome, TargetHealth.Outcome.NEUTRAL);
                }
                return new AttemptResult.Retry(error, outcome, call.status() == 429 ? TargetHealth.Outcome.NEUTRAL
                        : TargetHealth.Outcome.FAILURE);
            }
            return relay == null ? read(call) : relay(call, turn, relay);
        } finally {
            calls.remove(call);
        }
    }

    private static AttemptResult read(RouterClient.Call call) {
        try {
            byte[] raw = BoundedBody.read(call.body(), MAX_ROUTER_BODY, call.contentLength());
            long firstByte = System.nanoTime();
            if (raw == null) {
                throw new IOException("router body over " + MAX_ROUTER_BODY + " bytes");
            }
            return new AttemptResult.Final(new Forwarded.Answered(RouterReply.parse(raw), firstByte), "ok",
                    TargetHealth.Outcome.SUCCESS);
        } catch (IOException | UncheckedIOException e) {
            return RouterClient.isTimeout(e)
                    ? new AttemptResult.Retry(ROUTER_TIMEOUT, "timeout", TargetHealth.Outcome.FAILURE)
                    : new AttemptResult.Retry(ApiError.server(502, "router_bad_response",
                            "The inference backend returned an unreadable response."), "bad_response",
                            TargetHealth.Outcome.FAILURE);
        }
    }

    private static AttemptResult relay(RouterClient.Call call, Turn turn, Relay relay) {
        EncoderSink sink = new EncoderSink(relay.encoder(), turn.maxToolCalls(), relay.countReasoning());
        Turn.Decoding decoding = turn.decoding(sink);
        EventStream out = relay.out();
        out.deferFlushes(true); // the frames of one router read leave in one flush
        StreamRelay.Result r;
        try {
            r = StreamRelay.relay(call.body(), (text, first) -> {
                decoding.feed(text, first);
                return !out.gone();
            }, out::flush);
        } finally {
            out.deferFlushes(false);
        }
        boolean timeout = r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT;
        if ((timeout || r.outcome() == StreamRelay.Outcome.ROUTER_CUT) && !relay.out().opened()) {
            // the router failed before a single event reached the client, so another target may serve
            return new AttemptResult.Retry(timeout ? ROUTER_TIMEOUT : ApiError.server(502, "router_stream_interrupted",
                    "The inference backend stopped before sending a response."), timeout ? "timeout" : "cut",
                    TargetHealth.Outcome.FAILURE);
        }
        if (r.outcome() == StreamRelay.Outcome.COMPLETED) {
            drain(call.body()); // lets the router connection go back to the pool
        }
        if (r.outcome() != StreamRelay.Outcome.CLIENT_GONE) {
            decoding.finish(); // what the parser held back
            if (relay.out().gone()) {
                r = r.clientGone();
            }
        }
        return switch (r.outcome()) {
            case COMPLETED -> new AttemptResult.Final(new Forwarded.Streamed(r, sink), "ok", TargetHealth.Outcome.SUCCESS);
            case CLIENT_GONE -> new AttemptResult.Final(new Forwarded.Streamed(r, sink), "client_gone",
                    TargetHealth.Outcome.NEUTRAL);
            case ROUTER_CUT -> new AttemptResult.Final(new Forwarded.Streamed(r, sink), "cut", TargetHealth.Outcome.FAILURE);
            case ROUTER_TIMEOUT -> new AttemptResult.Final(new Forwarded.Streamed(r, sink), "timeout",
                    TargetHealth.Outcome.FAILURE);
        };
    }

    /** Reads what is left of a finished router stream (normally just the chunked terminator), at most 64 KB. */
    private static void drain(InputStream in) {
        byte[] buf = new byte[512];
        try {
            int total = 0;
            int n;
            while (total < 64 * 1024 && (n = in.read(buf)) != -1) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // the connection is then simply not reused
        }
    }

    /**
     * Passes decoded events to the dialect's encoder: at most {@code maxCalls} tool calls (1 when parallel calls
     * are off), counting them, and keeping the reasoning when its tokens must be counted.
     */
    private static final class EncoderSink implements OutputSink {
        private final StreamEncoder encoder;
        private final int maxCalls;
        private final StringBuilder reasoning;
        int calls;

        EncoderSink(StreamEncoder encoder, int maxCalls, boolean keepReasoning) {
            this.encoder = encoder;
            this.maxCalls = maxCalls;
            this.reasoning = keepReasoning ? new StringBuilder(256) : null;
        }

        /** The events of a whole answer, in the order a stream would have had them. */
        void replay(ParsedOutput answer) {
            if (answer.reasoning() != null) {
                reasoning(answer.reasoning());
            }
            if (answer.content() != null) {
                content(answer.content());
            }
            for (int i = 0; i < answer.toolCalls().size(); i++) {
                toolCallStart(i, answer.toolCalls().get(i).name());
                toolCallArguments(i, answer.toolCalls().get(i).arguments());
            }
        }

        String reasoning() {
            return reasoning == null ? null : reasoning.toString();
        }

        @Override
        public void reasoning(String delta) {
            if (reasoning != null) {
                reasoning.append(delta);
            }
            encoder.reasoning(delta);
        }

        @Override
        public void content(String delta) {
            encoder.content(delta);
        }

        @Override
        public void toolCallStart(int index, String name) {
            if (index < maxCalls) {
                calls++;
                encoder.toolCallStart(index, name);
            }
        }

        @Override
        public void toolCallArguments(int index, String delta) {
            if (index < maxCalls) {
                encoder.toolCallArguments(index, delta);
            }
        }
    }

    /** The attempts of one request as they are made. */
    private static final class Attempts {
        private final List<RequestRecord.Attempt> list = new ArrayList<>(2);
        private RouterTarget target;
        private Instant forwardedAt;

        void started(RouterTarget t, Instant now) {
            target = t;
            if (forwardedAt == null) {
                forwardedAt = now;
            }
        }

        void add(RequestRecord.Attempt a) {
            list.add(a);
        }

        boolean none() {
            return list.isEmpty();
        }

        Forwarding forwarding(long firstByteNanos) {
            return new Forwarding(target, forwardedAt, firstByteNanos, List.copyOf(list));
        }
    }

    // ---- settle: metering -----------------------------------------------------------------------------------

    private Usage meter(Turn turn, RouterReply reply) {
        return meter(turn, reply.text(), reply.promptTokens(), reply.completionTokens());
    }

    /** One router answer's usage: router-reported when present, otherwise counted here and flagged as estimated. */
    private Usage meter(Turn turn, String text, Integer promptTokens, Integer completionTokens) {
        boolean reported = completionTokens != null;
        int p = reported && promptTokens != null ? promptTokens : tokens.count(turn.prompt());
        int c = reported ? completionTokens : tokens.count(text);
        return new Usage(p, c, 0, !reported);
    }

    private static Usage plus(Usage a, Usage b) {
        return a == null ? b : new Usage(a.inputTokens() + b.inputTokens(), a.outputTokens() + b.outputTokens(),
                a.reasoningTokens() + b.reasoningTokens(), a.estimated() || b.estimated());
    }

    /**
     * Routers report no split of output tokens, so the reasoning returned is counted with the gateway's tokenizer
     * (at most the output tokens), and only for dialects that report it.
     */
    private Usage withReasoning(Usage u, String reasoning, Exchange exchange) {
        if (reasoning == null || reasoning.isEmpty() || !exchange.reportsReasoningTokens()) {
            return u;
        }
        return new Usage(u.inputTokens(), u.outputTokens(), Math.min(tokens.count(reasoning), u.outputTokens()),
                u.estimated());
    }

    // ---- record ---------------------------------------------------------------------------------------------

    /**
     * The request's one record. A response's last bytes are preceded by the record's journal write
     * ({@link #beforeLastBytes}), so a process killed right after them has the record on disk and replays it at the
     * next start; {@link #finish} then queues it for the database, or a corrected one if the outcome changed during
     * those last bytes (the client left). Responses whose end is written by {@code run} itself (errors) are
     * journaled by {@link #finish} before the error is sent.
     */
    private final class Closing {
        private final Dialect dialect;
        private final String requestId;
        private final Instant acceptedAt;
        private final long startNanos;
        ApiKey key;
        InferenceRequest request;
        Prices prices = Prices.FREE;
        boolean held;
        private Outcome expected;
        private UsageLedger.Journaled journaled;

        Closing(Dialect dialect, String requestId, Instant acceptedAt, long startNanos) {
            this.dialect = dialect;
            this.requestId = requestId;
            this.acceptedAt = acceptedAt;
            this.startNanos = startNanos;
        }

        /** Journals {@code outcome} as the request's end, just before the bytes that complete its response. */
        <T extends Outcome> T beforeLastBytes(T outcome) {
            expected = outcome;
            journaled = ledger.journal(build(outcome));
            return outcome;
        }

        /** Journals (unless done already) and queues the request's record; returns it. */
        RequestRecord finish(Outcome outcome) {
            if (journaled != null && outcome == expected) {
                ledger.record(journaled);
                return journaled.record();
            }
            RequestRecord r = build(outcome);
            if (journaled != null) {
                ledger.supersede(journaled, r);
            } else {
                ledger.record(r);
            }
            return r;
        }

        private RequestRecord build(Outcome outcome) {
            RequestRecord r = record(dialect, requestId, acceptedAt, startNanos, System.nanoTime(), key, request, outcome);
            Usage u = outcome.usage();
            long cost = r.served() && u != null ? prices.cost(u.inputTokens(), u.outputTokens(), u.reasoningTokens()) : 0;
            return r.withMoney(new RequestRecord.Money(cost, prices.input(), prices.output(), held));
        }
    }

    /** The request's one record, built from its outcome. */
    private static RequestRecord record(Dialect dialect, String requestId, Instant acceptedAt, long startNanos,
                                        long endNanos, ApiKey key, InferenceRequest request, Outcome outcome) {
        String status;
        int http;
        String code;
        String blockReason = null;
        String finish;
        switch (outcome) {
            case Blocked b -> {
                status = "blocked";
                http = b.error().status();
                code = b.error().code();
                blockReason = b.detail() == null ? code : code + ":" + b.detail();
                finish = "error";
            }
            case Completed c -> {
                status = "completed";
                http = 200;
                code = null;
                finish = finishReason(c.finishReason());
            }
            case Failed f -> {
                status = "failed";
                http = f.reported() ? 200 : f.error().status();
                code = f.error().code();
                finish = "error";
            }
            case Cancelled c -> {
                status = "cancelled";
                http = 499;
                code = "client_closed_request";
                finish = "cancelled";
            }
        }
        Forwarding f = outcome.forwarding();
        RouterTarget target = f == null ? null : f.target();
        Usage u = outcome.usage();
        return new RequestRecord(requestId, acceptedAt, dialect.path(), request != null && request.stream(),
                request == null ? null : request.model(), key == null ? null : key.id(),
                key == null ? null : key.userId(), key == null ? null : key.organizationId(), status, http, code,
                blockReason, target == null ? null : target.pool(), target == null ? null : target.name(),
                f == null ? null : f.forwardedAt(),
                f == null || f.firstByteNanos() == 0 ? null : millis(f.firstByteNanos() - startNanos),
                millis(endNanos - startNanos), u == null ? null : u.inputTokens(), u == null ? null : u.outputTokens(),
                u != null && u.estimated(), f == null ? List.of() : f.attempts())
                .withFinish(finish, u == null ? null : u.reasoningTokens());
    }

    /**
     * A completed answer's finish reason as recorded: the model's own end ({@code stop}, {@code length},
     * {@code tool_calls}, {@code content_filter}); a router's other words for a normal end are {@code stop}.
     */
    static String finishReason(String told) {
        return told == null ? "stop" : switch (told) {
            case "length", "tool_calls", "content_filter" -> told;
            default -> "stop";
        };
    }

    private static int millis(long nanos) {
        return (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    // ---- the client's side ----------------------------------------------------------------------------------

    private static void sendError(ServerResponse res, Dialect dialect, ApiError e, String requestId) {
        if (res.isSent()) {
            return;
        }
        res.status(e.status());
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (e.retryAfterSeconds() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        res.send(dialect.errorBody(e, requestId));
    }
}
