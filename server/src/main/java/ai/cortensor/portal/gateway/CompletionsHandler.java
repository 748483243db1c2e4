package ai.cortensor.portal.gateway;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.Authentication;
import ai.cortensor.portal.plans.Admission;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.LimitsUnavailable;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.pools.Pool;
import ai.cortensor.portal.pools.RouterClient;
import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.pools.TargetHealth;
import ai.cortensor.portal.usage.RequestRecord;
import ai.cortensor.portal.usage.TokenCounter;
import ai.cortensor.portal.usage.UsageLedger;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.web.ErrorResponses;
import ai.cortensor.portal.web.WebHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request path for {@code /v1/chat/completions} and {@code /v1/completions}, top to bottom: authenticate →
 * parse → resolve model, pool and target → forward → relay → record. Every request, however it ends, leaves
 * exactly one {@link ai.cortensor.portal.usage.RequestRecord} with the ledger.
 */
public final class CompletionsHandler {
    private static final int MAX_ROUTER_BODY = 16 << 20;

    private final ApiKeys keys;
    private final AdmissionControl admission;
    private final Catalog catalog;
    private final RouterClient router;
    private final UsageLedger ledger;
    private final TokenCounter tokens;
    private final GatewayMetrics metrics;
    private final InstantSource clock;
    private final long maxBodyBytes;
    private final long routerTimeoutSeconds;
    private final int maxAttempts;
    private final long failoverBudgetNanos;
    private final int structuredAttempts;

    public CompletionsHandler(ApiKeys keys, AdmissionControl admission, Catalog catalog, RouterClient router, UsageLedger ledger,
                              TokenCounter tokens, GatewayMetrics metrics, InstantSource clock, long maxBodyBytes,
                              PortalConfig.Router routerConfig) {
        this.keys = keys;
        this.admission = admission;
        this.catalog = catalog;
        this.router = router;
        this.ledger = ledger;
        this.tokens = tokens;
        this.metrics = metrics;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.routerTimeoutSeconds = routerConfig.requestTimeout().toSeconds();
        this.maxAttempts = routerConfig.maxAttempts();
        this.failoverBudgetNanos = routerConfig.failoverBudget().toNanos();
        this.structuredAttempts = routerConfig.structuredOutputAttempts();
    }

    public void handle(Route route, ServerRequest req, ServerResponse res) {
        run(route, req, res, null);
    }

    /** The same path for a caller the portal has already identified (the playground): no Authorization header. */
    public void handleAs(ApiKey key, Route route, ServerRequest req, ServerResponse res) {
        run(route, req, res, key);
    }

    private void run(Route route, ServerRequest req, ServerResponse res, ApiKey preAuthenticated) {
        long start = System.nanoTime();
        var now = clock.instant();
        Trace trace = new Trace(WebHeaders.requestId(res), route, now, start);
        try {
            serve(req, res, trace, preAuthenticated);
        } catch (ApiError e) {
            if (trace.forwardedAt == null) {
                trace.block(e.status(), e.code());
            } else {
                trace.end("failed", e.status(), e.code());
            }
            if (!res.isSent()) {
                ErrorResponses.send(res, e, trace.requestId);
            }
        } catch (RuntimeException e) {
            trace.end("failed", 500, "internal_error"); // a bug: the routing error handler answers and logs it
            throw e;
        } finally {
            long end = System.nanoTime();
            if (trace.reservation != null) {
                boolean served = trace.firstByteNanos != 0 && trace.completionTokens != null;
                trace.reservation.settle(served ? (long) trace.promptTokens + trace.completionTokens : 0);
            }
            ledger.record(trace.toRecord(end));
            metrics.request(trace, end);
        }
    }

    private void serve(ServerRequest req, ServerResponse res, Trace trace, ApiKey preAuthenticated) {
        Authentication auth = preAuthenticated != null ? new Authentication.Authenticated(preAuthenticated)
                : keys.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
        switch (auth) {
            case Authentication.Denied d -> throw new ApiError(401, "authentication_error", d.code(), null,
                    d.message(), null);
            case Authentication.Authenticated a -> trace.key = a.key();
        }
        if (trace.key.accountPaused()) {
            throw new ApiError(403, "permission_error", "account_paused", null,
                    "This account is paused, so its keys are not accepted. Contact support to resolve it.", null);
        }
        CompletionRequest request = RequestParser.parse(trace.route, readBody(req));
        trace.stream = request.stream();
        trace.model = request.model();
        Model model = catalog.model(request.model()).orElseThrow(() -> ApiError.notFound("model_not_found",
                "model", "The model '" + request.model() + "' does not exist or you do not have access to it."));
        int maxTokens = request.maxTokens() == null ? model.maxOutputTokens() : request.maxTokens();
        if (maxTokens > model.maxOutputTokens()) {
            throw ApiError.invalidRequest("invalid_value", "max_tokens", "'max_tokens' is too large: " + maxTokens
                    + ". The model '" + model.alias() + "' allows at most " + model.maxOutputTokens() + ".");
        }
        ChatTurn turn = trace.route == Route.CHAT ? ChatTurn.prepare(model.family(), model.alias(),
                request.conversation(), LocalDate.ofInstant(trace.acceptedAt, ZoneOffset.UTC), trace.requestId,
                request.stream()) : null;
        String prompt = turn == null ? request.prompt() : turn.prompt();
        checkContext(model, prompt, maxTokens);
        if (!admission.entitled(trace.key, model.alias())) {
            throw new ApiError(403, "permission_error", "model_not_entitled", "model", "Your plan does not include the model '"
                    + model.alias() + "'. See your plan in the portal for the models it includes.", null);
        }
        List<Pool> route = catalog.route(model);
        if (route.stream().noneMatch(Pool::routable)) {
            throw unavailable(model);
        }
        admit(res, trace, prompt.length() / 4 + 1 + maxTokens);
        OpenAiShapes shapes = new OpenAiShapes(trace.route, trace.requestId, trace.acceptedAt.getEpochSecond(),
                model.alias(), request.includeUsage());
        Call call = new Call(model, route, request, maxTokens, shapes);
        if (turn != null && turn.validates()) {
            validated(res, trace, call, turn);
            return;
        }
        RouterReply reply = forward(res, trace, call, prompt, turn, request.stream());
        if (reply != null) {
            respond(res, trace, call, prompt, turn, reply);
        }
    }

    /** What every attempt of one request shares. */
    private record Call(Model model, List<Pool> route, CompletionRequest request, int maxTokens, OpenAiShapes shapes) {}

    /**
     * A JSON response format (or a forced tool call without streaming): the router is asked without streaming, the
     * whole answer is parsed and checked, and a failing answer is asked for again with the reason, at most
     * {@code router.structured-output-attempts} times. Every attempt is metered; the usage returned is their sum.
     */
    private void validated(ServerResponse res, Trace trace, Call call, ChatTurn turn) {
        for (int attempt = 1; ; attempt++) {
            RouterReply reply = forward(res, trace, call, turn.prompt(), turn, false);
            meter(trace, turn.prompt(), reply);
            ParsedOutput answer = turn.parse(reply.text(), "length".equals(reply.finishReason()));
            String problem = turn.problem(answer);
            if (problem == null) {
                deliver(res, trace, call, turn, answer);
                return;
            }
            if (attempt >= structuredAttempts) {
                throw new ApiError(422, "invalid_request_error", "structured_output_failed", "response_format",
                        "The model did not produce a valid answer in " + attempt + " attempts (last: " + problem
                        + "). All attempts are billed; simplify the schema or the request and retry.", null);
            }
            turn = turn.retry(answer, problem);
        }
    }

    /**
     * Sends the request to a target picked from the model's pools in order, and tries another target (of the same
     * pool first, then of a fallback pool) when one fails before anything reached the client: a connect error, a
     * timeout, an error status other than the router rejecting the request itself, or a stream that ended before
     * its first token. At most {@code router.max-attempts} tries; none starts after {@code router.failover-budget}.
     */
    private RouterReply forward(ServerResponse res, Trace trace, Call call, String prompt, ChatTurn turn,
                                boolean routerStream) {
        Model model = call.model();
        List<Pool> route = call.route();
        Set<Long> tried = new HashSet<>(4);
        long budgetEnd = System.nanoTime() + failoverBudgetNanos;
        ApiError last = null;
        for (int n = 0; n < maxAttempts && (n == 0 || System.nanoTime() < budgetEnd); n++) {
            TargetHealth member = null;
            for (Pool p : route) {
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
            trace.target = target;
            if (trace.forwardedAt == null) {
                trace.forwardedAt = clock.instant();
            }
            Attempt attempt = new Attempt();
            long t0 = System.nanoTime();
            member.start();
            try {
                return send(res, trace, call, target, prompt, turn, routerStream, attempt);
            } catch (Retry r) {
                last = r.error;
            } finally {
                boolean ejected = member.finish(attempt.health);
                int ms = (int) ((System.nanoTime() - t0) / 1_000_000);
                trace.attempt(new RequestRecord.Attempt(target.pool(), target.name(), attempt.outcome, ms));
                metrics.attempt(target, attempt.outcome, ejected);
            }
        }
        throw last != null ? last : unavailable(model);
    }

    private static ApiError unavailable(Model model) {
        return new ApiError(503, "server_error", "model_unavailable", "model", "The model '" + model.alias()
                + "' has no available capacity right now. Please retry shortly.", 5L);
    }

    /** How one attempt went: its outcome for the request log and what it says about the target's health. */
    private static final class Attempt {
        String outcome = "cancelled";
        TargetHealth.Outcome health = TargetHealth.Outcome.NEUTRAL;

        void set(String outcome, TargetHealth.Outcome health) {
            this.outcome = outcome;
            this.health = health;
        }
    }

    /** An attempt failed before anything reached the client: another target may be tried. */
    private static final class Retry extends RuntimeException {
        final ApiError error;

        Retry(ApiError error) {
            super(null, null, false, false);
            this.error = error;
        }
    }

    /** One attempt on one target: a streamed answer is relayed to the client (null is returned); otherwise the reply. */
    private RouterReply send(ServerResponse res, Trace trace, Call c, RouterTarget target, String prompt,
                             ChatTurn turn, boolean routerStream, Attempt attempt) {
        byte[] body = RouterBodies.completion(target, c.model().alias(), prompt, c.request(), routerStream,
                c.maxTokens(), trace.requestId, routerTimeoutSeconds);
        RouterClient.Call call;
        try {
            call = router.post(target, body, routerStream);
        } catch (RouterClient.RouterFailure f) {
            attempt.set(f.timeout() ? "timeout" : "connect_error", TargetHealth.Outcome.FAILURE);
            throw new Retry(f.timeout()
                    ? ApiError.server(504, "router_timeout", "The inference backend did not answer in time.")
                    : ApiError.server(502, "router_unavailable", "The inference backend could not be reached."));
        }
        try (call) {
            if (call.status() != 200) {
                ApiError error = RouterErrors.map(call.status());
                boolean requestRejected = call.status() == 400 || call.status() == 422 || call.status() == 413;
                attempt.set("http_" + call.status(), requestRejected || call.status() == 429
                        ? TargetHealth.Outcome.NEUTRAL : TargetHealth.Outcome.FAILURE);
                if (requestRejected) {
                    throw error; // the same request would be rejected anywhere
                }
                throw new Retry(error);
            }
            if (routerStream) {
                stream(call, res, c.shapes(), trace, prompt, turn, attempt);
                return null;
            }
            return read(call, trace, attempt);
        }
    }

    private RouterReply read(RouterClient.Call call, Trace trace, Attempt attempt) {
        RouterReply reply;
        try {
            byte[] raw = BoundedBody.read(call.body(), MAX_ROUTER_BODY, call.contentLength());
            trace.firstByteNanos = System.nanoTime();
            if (raw == null) {
                throw new IOException("router body over " + MAX_ROUTER_BODY + " bytes");
            }
            reply = RouterReply.parse(raw);
        } catch (IOException | UncheckedIOException e) {
            trace.firstByteNanos = 0; // nothing reached the client: another target may answer
            boolean timeout = RouterClient.isTimeout(e);
            attempt.set(timeout ? "timeout" : "bad_response", TargetHealth.Outcome.FAILURE);
            throw new Retry(timeout ? ApiError.server(504, "router_timeout", "The inference backend did not answer in time.")
                    : ApiError.server(502, "router_bad_response", "The inference backend returned an unreadable response."));
        }
        attempt.set("ok", TargetHealth.Outcome.SUCCESS);
        return reply;
    }

    /** A non-streaming answer: text as it came (completions) or parsed by the model's family (chat). */
    private void respond(ServerResponse res, Trace trace, Call call, String prompt, ChatTurn turn, RouterReply reply) {
        meter(trace, prompt, reply);
        String finish = reply.finishReason() == null ? "stop" : reply.finishReason();
        if (turn == null) {
            sendJson(res, trace, call.shapes().completion(reply.text(), finish, trace.promptTokens,
                    trace.completionTokens));
        } else {
            deliver(res, trace, call, turn, turn.parse(reply.text(), "length".equals(finish)));
        }
    }

    /** A parsed chat answer, as a JSON body or, when the client asked for a stream, as its chunks. */
    private void deliver(ServerResponse res, Trace trace, Call call, ChatTurn turn, ParsedOutput answer) {
        OpenAiShapes shapes = call.shapes();
        if (!call.request().stream()) {
            sendJson(res, trace, shapes.chatCompletion(answer, turn.toolCallIds(answer.toolCalls().size()),
                    trace.promptTokens, trace.completionTokens, reasoningTokens(trace, answer.reasoning())));
            return;
        }
        trace.end("completed", 200, null);
        try (EventStreamOutput out = new EventStreamOutput(res)) {
            ChatChunks chunks = new ChatChunks(out, shapes, turn);
            chunks.replay(answer);
            if (chunks.gone() || !finishStream(out, shapes, trace, answer.finishReason(),
                    reasoningTokens(trace, answer.reasoning()))) {
                trace.end("cancelled", 499, "client_closed_request");
            }
        } catch (IOException | RuntimeException e) {
            trace.end("cancelled", 499, "client_closed_request");
        }
    }

    /** The finish chunk, the usage chunk when asked for, and [DONE]; false when the client has gone. */
    private static boolean finishStream(OutputStream out, OpenAiShapes shapes, Trace trace, String finishReason,
                                        int reasoningTokens) {
        return StreamRelay.write(out, shapes.finish(finishReason))
                && (!shapes.includesUsage() || StreamRelay.write(out, shapes.usageChunk(trace.promptTokens,
                        trace.completionTokens, reasoningTokens)))
                && StreamRelay.write(out, OpenAiShapes.DONE);
    }

    /**
     * Routers report no split of completion tokens, so the reasoning returned is counted with the gateway's
     * tokenizer (at most the completion tokens); 0 without reasoning, and then nothing is counted.
     */
    private int reasoningTokens(Trace trace, String reasoning) {
        return reasoning == null || reasoning.isEmpty() ? 0 : Math.min(tokens.count(reasoning), trace.completionTokens);
    }

    private void sendJson(ServerResponse res, Trace trace, byte[] out) {
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(WebHeaders.PROCESSING_MS, Long.toString((System.nanoTime() - trace.startNanos) / 1_000_000));
        trace.end("completed", 200, null);
        try {
            res.send(out);
        } catch (RuntimeException e) {
            trace.end("cancelled", 499, "client_closed_request"); // served and metered; the client left first
        }
    }

    private void stream(RouterClient.Call call, ServerResponse res, OpenAiShapes shapes, Trace trace, String prompt,
                        ChatTurn turn, Attempt attempt) {
        boolean ended = false;
        EventStreamOutput out = new EventStreamOutput(res);
        try (out) {
            ChatChunks chunks = turn == null ? null : new ChatChunks(out, shapes, turn);
            StreamRelay.Result r = chunks == null ? StreamRelay.relay(call.body(), out, shapes)
                    : StreamRelay.relay(call.body(), chunks);
            boolean cut = r.outcome() == StreamRelay.Outcome.ROUTER_CUT || r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT;
            if (cut && !out.opened()) {
                // the router failed before a single token: nothing reached the client, so another target may serve
                attempt.set(r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT ? "timeout" : "cut",
                        TargetHealth.Outcome.FAILURE);
                throw new Retry(r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT
                        ? ApiError.server(504, "router_timeout", "The inference backend did not answer in time.")
                        : ApiError.server(502, "router_stream_interrupted",
                                "The inference backend stopped before sending a response."));
            }
            if (r.outcome() == StreamRelay.Outcome.COMPLETED) {
                drain(call.body()); // lets the router connection go back to the pool
            }
            if (chunks != null && r.outcome() != StreamRelay.Outcome.CLIENT_GONE && !chunks.finish()) {
                r = r.clientGone(); // what the parser held back could not be written
            }
            trace.firstByteNanos = r.firstByteNanos();
            meter(trace, prompt, r.text(), r.promptTokens(), r.completionTokens());
            ended = true;
            switch (r.outcome()) {
                case COMPLETED -> {
                    attempt.set("ok", TargetHealth.Outcome.SUCCESS);
                    trace.end("completed", 200, null);
                    String finish = chunks != null && chunks.calledTools() ? "tool_calls" : r.finishReason();
                    int reasoning = chunks == null || !shapes.includesUsage() ? 0
                            : reasoningTokens(trace, chunks.reasoningSent());
                    if (!finishStream(out, shapes, trace, finish, reasoning)) {
                        trace.end("cancelled", 499, "client_closed_request");
                    }
                }
                case CLIENT_GONE -> {
                    attempt.set("client_gone", TargetHealth.Outcome.NEUTRAL);
                    trace.end("cancelled", 499, "client_closed_request");
                }
                case ROUTER_CUT, ROUTER_TIMEOUT -> {
                    String code = r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT ? "router_timeout"
                            : "router_stream_interrupted";
                    attempt.set(r.outcome() == StreamRelay.Outcome.ROUTER_TIMEOUT ? "timeout" : "cut",
                            TargetHealth.Outcome.FAILURE);
                    trace.end("failed", 200, code);
                    StreamRelay.write(out, OpenAiShapes.errorFrame(
                            "The inference backend stopped before the response was complete.", "server_error", code,
                            trace.requestId));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Retry retry) {
                throw retry;
            }
            // the server reports a client gone mid-write or at close with I/O or its own runtime exceptions
            if (!ended) {
                attempt.set("client_gone", TargetHealth.Outcome.NEUTRAL);
                trace.end("cancelled", 499, "client_closed_request");
            } // else the stream already ended and only closing it failed
        }
    }


    /**
     * Reserves the estimate (prompt characters / 4 + max_tokens) against every limit of the key and its account;
     * sets the x-ratelimit headers either way.
     */
    private void admit(ServerResponse res, Trace trace, long estimatedTokens) {
        Admission decision;
        try {
            decision = admission.admit(trace.key, estimatedTokens);
        } catch (LimitsUnavailable e) {
            throw new ApiError(503, "server_error", "limits_unavailable", null,
                    "Usage limits cannot be checked right now. Please retry shortly.", 2L);
        }
        switch (decision) {
            case Admission.Admitted a -> {
                trace.reservation = a.reservation();
                RateHeaders.set(res, a.requests(), a.tokens());
            }
            case Admission.Rejected r -> {
                RateHeaders.set(res, r.requests(), r.tokens());
                trace.blockDetail = r.limit().kind().key();
                throw RateHeaders.rejection(r);
            }
        }
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

    private void meter(Trace trace, String prompt, RouterReply reply) {
        meter(trace, prompt, reply.text(), reply.promptTokens(), reply.completionTokens());
    }

    /**
     * Adds one router answer's usage to the request's: router-reported when present, otherwise counted here and
     * flagged as estimated. A validated request that needed several attempts is metered for all of them.
     */
    private void meter(Trace trace, String prompt, String text, Integer promptTokens, Integer completionTokens) {
        boolean reported = completionTokens != null;
        int p = reported ? (promptTokens == null ? tokens.count(prompt) : promptTokens) : tokens.count(prompt);
        int c = reported ? completionTokens : tokens.count(text);
        trace.promptTokens = (trace.promptTokens == null ? 0 : trace.promptTokens) + p;
        trace.completionTokens = (trace.completionTokens == null ? 0 : trace.completionTokens) + c;
        trace.estimated |= !reported;
    }

    /** Exact only when it matters: UTF-8 bytes bound the token count, so the tokenizer runs only near the limit. */
    private void checkContext(Model model, String prompt, int maxTokens) {
        long bound = (long) prompt.length() * 3; // a char is at most 3 UTF-8 bytes, a token at least 1 byte
        if (bound + maxTokens <= model.contextLength()) {
            return;
        }
        int promptTokens = tokens.count(prompt);
        if (promptTokens + (long) maxTokens > model.contextLength()) {
            throw ApiError.invalidRequest("context_length_exceeded", "messages", "This model's maximum context "
                    + "length is " + model.contextLength() + " tokens. However, you requested " + (promptTokens
                    + maxTokens) + " tokens (" + promptTokens + " in the prompt, " + maxTokens
                    + " for the completion). Please reduce the length of the prompt or max_tokens.");
        }
    }

    private byte[] readBody(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBodyBytes) {
            throw tooLarge();
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = BoundedBody.read(in, maxBodyBytes, declared);
            if (body == null) {
                throw tooLarge();
            }
            if (body.length == 0) {
                throw ApiError.invalidRequest("invalid_json", null, "The request body is empty; send a JSON object.");
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            throw ApiError.invalidRequest("invalid_body", null, "The request body could not be read.");
        }
    }

    private ApiError tooLarge() {
        return new ApiError(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than the limit of " + maxBodyBytes + " bytes.", null);
    }
}
