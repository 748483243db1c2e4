package ai.cortensor.routersim;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/v1/completions} (session in the body) and {@code POST /api/v{1,2,3}/completions/{sessionId}}.
 * Checks run in FastAPI's order: auth (a filter, before this), body validation (422), session lookup (404),
 * injected failure, then the answer.
 */
final class CompletionRoutes {

    private static final byte[] NO_BYTES = new byte[0];
    private static final byte[] ERROR_500 = FastApiReplies.detail("Internal Server Error");
    private static final byte[] ERROR_502 = FastApiReplies.detail("Bad Gateway");
    private static final byte[] ERROR_503 = FastApiReplies.detail("Service Unavailable");

    private final SimNode node;
    private final AtomicLong ids = new AtomicLong();

    CompletionRoutes(SimNode node) {
        this.node = node;
    }

    void register(HttpRouting.Builder routing) {
        routing.post("/api/v1/completions", (req, res) -> handle(req, res, null));
        for (String version : new String[] {"v1", "v2", "v3"}) {
            routing.post("/api/" + version + "/completions/{sessionId}",
                    (req, res) -> handle(req, res, req.path().pathParameters().get("sessionId")));
        }
    }

    private void handle(ServerRequest req, ServerResponse res, String pathSession) {
        long startNanos = System.nanoTime();
        SimCounters counters = node.counters;
        counters.inFlight.incrementAndGet();
        try {
            byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : NO_BYTES;
            counters.completions.increment();
            counters.recordBody(body);
            serve(res, body, pathSession, startNanos);
        } finally {
            counters.inFlight.decrementAndGet();
        }
    }

    private void serve(ServerResponse res, byte[] body, String pathSession, long startNanos) {
        CompletionRequest request;
        try {
            request = CompletionRequest.parse(node.mapper, body);
        } catch (CompletionRequest.Invalid e) {
            unprocessable(res, "body", e.field, e.msg, e.type);
            return;
        }
        long sessionId;
        if (pathSession != null) {
            try {
                sessionId = Long.parseLong(pathSession);
            } catch (NumberFormatException e) {
                unprocessable(res, "path", "session_id", "value is not a valid integer", "type_error.integer");
                return;
            }
        } else if (request.sessionId() >= 0) {
            sessionId = request.sessionId();
        } else {
            unprocessable(res, "body", "session_id", "field required", "value_error.missing");
            return;
        }
        if (!node.config.hasSession(sessionId)) {
            FastApiReplies.send(res, Status.NOT_FOUND_404, FastApiReplies.SESSION_NOT_FOUND);
            return;
        }
        ActiveBehavior active = node.active();
        Behavior b = active.behavior();
        if (active.nextRequestFails()) {
            node.counters.failuresInjected.increment();
            fail(res, active, request, startNanos);
        } else if (request.stream()) {
            SseStream.write(node, res, b, request, answerTo(request, active), streamIds(b), startNanos, -1);
        } else {
            answer(res, b, request, answerTo(request, active), startNanos);
        }
    }

    private Answer answerTo(CompletionRequest request, ActiveBehavior active) {
        return FamilyAnswers.answer(request, active, node.mapper);
    }

    private void fail(ServerResponse res, ActiveBehavior active, CompletionRequest request, long startNanos) {
        Behavior b = active.behavior();
        switch (b.failure()) {
            case HTTP_500 -> FastApiReplies.send(res, Status.INTERNAL_SERVER_ERROR_500, ERROR_500);
            case HTTP_502 -> FastApiReplies.send(res, Status.BAD_GATEWAY_502, ERROR_502);
            case HTTP_503 -> FastApiReplies.send(res, Status.SERVICE_UNAVAILABLE_503, ERROR_503);
            case TIMEOUT -> {
                node.pacer.awaitUntil(startNanos + b.timeoutMillis() * 1_000_000L);
                throw new CloseConnectionException("simulated timeout");
            }
            case RESET_BEFORE_FIRST_BYTE -> throw new CloseConnectionException("simulated reset");
            case CUT_MID_STREAM -> {
                if (!request.stream()) {
                    throw new CloseConnectionException("simulated reset");
                }
                SseStream.write(node, res, b, request, answerTo(request, active), streamIds(b), startNanos,
                        b.cutAfterChunks());
            }
            case GARBAGE, ENDLESS_LINE, TRICKLE -> Faults.write(node, res, b.failure(), request.stream());
            case NONE -> throw new IllegalStateException("NONE never fails");
        }
    }

    private long[] streamIds(Behavior b) {
        return b.interleaveMiners()
                ? new long[] {ids.incrementAndGet(), ids.incrementAndGet()}
                : new long[] {ids.incrementAndGet()};
    }

    private void answer(ServerResponse res, Behavior b, CompletionRequest request, Answer a, long startNanos) {
        int n = a.completionTokens();
        long due = startNanos + b.ttftMillis() * 1_000_000L
                + (b.tokensPerSecond() > 0 ? (long) (n * 1e9 / b.tokensPerSecond()) : 0);
        if (!node.pacer.awaitUntil(due)) {
            throw new CloseConnectionException("sim closing");
        }
        int p = SimText.promptTokens(request.prompt());
        StringBuilder sb = new StringBuilder(256 + n * 24)
                .append("{\"id\":\"cmpl-").append(ids.incrementAndGet())
                .append("\",\"object\":\"text_completion\",\"created\":").append(System.currentTimeMillis() / 1000)
                .append(",\"model\":").append(node.modelJson).append(",\"choices\":[");
        choice(sb, 0, a);
        if (b.interleaveMiners()) {
            choice(sb.append(','), 1, a);
        }
        sb.append("],\"usage\":{\"prompt_tokens\":").append(p).append(",\"completion_tokens\":").append(n)
                .append(",\"total_tokens\":").append(p + n).append("}}");
        FastApiReplies.send(res, Status.OK_200, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void choice(StringBuilder sb, int miner, Answer a) {
        sb.append("{\"text\":\"").append(a.textJson(miner))
                .append("\",\"index\":").append(miner)
                .append(",\"logprobs\":null,\"finish_reason\":\"").append(a.finishReason()).append("\"}");
    }

    private static void unprocessable(ServerResponse res, String location, String field, String msg, String type) {
        FastApiReplies.send(res, Status.UNPROCESSABLE_CONTENT_422, FastApiReplies.validation(location, field, msg, type));
    }
}
