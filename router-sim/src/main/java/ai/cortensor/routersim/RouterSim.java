package ai.cortensor.routersim;

import java.util.Set;
import java.util.regex.Pattern;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * A real HTTP server that behaves like a Cortensor router node, scriptable per test via {@link #behave(Behavior)}
 * or the {@code /_sim} control endpoints (see {@link ControlRoutes}).
 *
 * <h2>Routes</h2>
 * Every {@code /api/...} route needs {@code Authorization: Bearer <apiKey>} unless {@link SimConfig#apiKey()} is
 * null, else 401 {@code {"detail":"Invalid API key"}}. {@code GET /api/v1/ping|info|status};
 * {@code POST /api/v1/completions} ({@code session_id} in the body) and
 * {@code POST /api/v{1,2,3}/completions/{sessionId}}. Errors are FastAPI-shaped: 422 {@code {"detail":[{"loc":
 * ["body","prompt"],"msg":"field required","type":"value_error.missing"}]}} for malformed JSON or a missing or
 * non-string {@code prompt}; 404 {@code {"detail":"Session not found"}} for an unknown session; unknown paths 404
 * {@code {"detail":"Not Found"}}, wrong methods 405 {@code {"detail":"Method Not Allowed"}}.
 *
 * <h2>Deterministic output of plain prompts (other modules' tests rely on these rules)</h2>
 * A prompt that does not start like one of the model families below is plain:
 * <ul>
 *   <li>Completion tokens {@code n = min(max_tokens, completionTokens)} when {@code max_tokens > 0}, else
 *       {@code completionTokens} (from {@link Behavior}).</li>
 *   <li>Token {@code i} (0-based) is {@code WORDS[i % 16] + " "} with WORDS = lorem ipsum dolor sit amet consectetur
 *       adipiscing elit sed do eiusmod tempor incididunt ut labore et; the text is the concatenation of the
 *       {@code n} tokens, so the default 16 tokens are {@code "lorem ipsum ... labore et "} (trailing space).
 *       The second miner ({@code interleaveMiners}) writes the same words in UPPERCASE.</li>
 *   <li>{@code prompt_tokens} = whitespace-separated words in the prompt, at least 1;
 *       {@code total_tokens = prompt_tokens + n}.</li>
 *   <li>{@code finish_reason} is {@code "length"} when {@code max_tokens > 0 && n == max_tokens}, else
 *       {@code "stop"}.</li>
 *   <li>{@code id} is {@code "cmpl-<k>"} and {@code task_id} is {@code k}, k counting 1, 2, ... per sim (a stream
 *       with two miners takes two consecutive numbers, the first miner the lower one).</li>
 *   <li>{@code model} is {@link SimConfig#name()}; {@code created} is epoch seconds.</li>
 * </ul>
 *
 * <h2>Family prompts: answered like the model ({@link FamilyAnswers})</h2>
 * The family is told by how the prompt starts ({@link Family}): {@code <|im_start|>} = qwen (ChatML),
 * {@code <|start|>} = gpt-oss harmony, {@code <bos><|turn>} = Gemma 4. The sim reads the prompt like the model
 * ({@link QwenPrompt}, {@link HarmonyPrompt}, {@link GemmaPrompt}): the last user message, offered tools and their
 * schemas, tool results the turn ends with, the reasoning switch, a JSON request in the system/developer text, and
 * a prefilled tool call at the end. Text with a U+2060 WORD JOINER after a tag's {@code <} (the gateway's
 * neutralisation) is never a tag. The answer, in the family's syntax ({@link FamilySyntax}):
 * <ul>
 *   <li>a prefilled call (qwen: the prompt ends in an open {@code <tool_call>} after {@code "name": "} or after
 *       {@code "arguments": }; harmony: after {@code to=functions.} or after a named call's {@code <|message|>};
 *       gemma: after {@code <|tool_call>call:} or after {@code call:NAME} and its opening brace) gets its
 *       continuation, for the named function, else the first tool the user message names, else the first tool;</li>
 *   <li>otherwise reasoning first when on (qwen: prompt not ending in {@code <think>\n\n</think>\n\n}; harmony:
 *       always, {@code Reasoning: low|medium|high} = half/1x/2x {@code reasoningTokens} words; gemma: system turn
 *       starting {@code <|think|>} and no {@code <|channel>thought\n<channel|>} at the end; an open
 *       {@code <|channel>thought\n} at the end is continued), then one of: calls to the tools the last user
 *       message names (whole word; harmony: the first only), a JSON value for a JSON request, {@code The tool
 *       returned: RESULT} after tool results, or {@code completionTokens} filler words;</li>
 *   <li>then the stop token, per {@link Behavior.StopTokens} (default: harmony {@code <|return|>}/{@code <|call|>}
 *       yes, qwen {@code <|im_end|>} and gemma {@code <turn|>}/{@code <|tool_response>} no).</li>
 * </ul>
 * Reasoning filler starts at "sed" ({@code sed do eiusmod ...}), answer filler at "lorem"; both are
 * space-separated without a trailing space. The text is split into tokens by {@link Tokens} (special token = 1,
 * word + following space = 1, whitespace run = 1, other character + following space = 1); {@code max_tokens} cuts
 * the list (finish {@code "length"} when it held more, else {@code "stop"}); {@code completion_tokens} is the
 * length of the list; each token is one stream frame and the non-streaming text is their concatenation. With
 * {@code dropSpecialTokens} the family's special tokens get no frame and no text but still count. Miner 1
 * ({@code interleaveMiners}) writes the same tokens with the filler words in UPPERCASE.
 * {@link Behavior#script()}, when set, replaces all of this for every prompt: chunk = token = frame.
 * {@code prompt_tokens} is counted as for plain prompts.
 *
 * <h2>Non-streaming answer</h2>
 * After {@code ttft + n / tps} (no token delay when tps = 0): 200 {@code application/json}
 * {@code {"id","object":"text_completion","created","model","choices":[{"text","index":0,"logprobs":null,
 * "finish_reason"}],"usage":{"prompt_tokens","completion_tokens","total_tokens"}}}; with {@code interleaveMiners}
 * a second choice with {@code "index":1} and the UPPERCASE text (usage still counts the first).
 *
 * <h2>Streaming answer ({@code "stream": true})</h2>
 * 200 {@code text/event-stream; charset=utf-8}, chunked; status and headers are sent at once (before ttft).
 * Token {@code i} is due at {@code ttft + i / tps}; each token is one frame
 * {@code data: {"id","task_id","object":"text_completion","created","model","choices":[{"text":"<token>","index":0,
 * "logprobs":null,"finish_reason":null}]}\n\n}, flushed as its own chunk. Then a final frame with {@code "text":""}
 * and the finish reason (plus {@code "usage"} when {@code usageInStream}), then {@code data: [DONE]\n\n}.
 * {@code commentLines} adds {@code : keep-alive\n\n} right after the headers and before every 4th token.
 * {@code interleaveMiners} follows each frame of miner 0 with the matching frame of miner 1 (own id/task_id,
 * UPPERCASE text, own final frame), so locking onto the first id seen recovers exactly miner 0's text.
 * A client that disconnects makes the next write fail and the stream stop.
 *
 * <h2>Failures</h2> See {@link Behavior.Failure}; counting rules on {@link Behavior#failEveryNth()}.
 */
public final class RouterSim implements AutoCloseable {

    private static final Pattern COMPLETION_PATH = Pattern.compile("/api/v[123]/completions(/[^/]+)?");
    private static final Set<String> KNOWN_PATHS = Set.of("/api/v1/ping", "/api/v1/info", "/api/v1/status",
            "/_sim/behavior", "/_sim/stats", "/_sim/reset");

    private final SimNode node;
    private final WebServer server;

    private RouterSim(SimNode node, WebServer server) {
        this.node = node;
        this.server = server;
    }

    /**
     * Starts the server; returns once it is listening.
     *
     * @throws IllegalStateException when it cannot bind
     */
    public static RouterSim start(SimConfig config) {
        SimNode node = new SimNode(config);
        HttpRouting.Builder routing = HttpRouting.builder();
        if (config.apiKey() != null) {
            routing.addFilter(new ApiKeyFilter(config.apiKey()));
        }
        new NodeRoutes(node).register(routing);
        new CompletionRoutes(node).register(routing);
        new ControlRoutes(node).register(routing);
        routing.any((req, res) -> {
            String path = req.path().path();
            boolean known = KNOWN_PATHS.contains(path) || COMPLETION_PATH.matcher(path).matches();
            FastApiReplies.send(res, known ? Status.METHOD_NOT_ALLOWED_405 : Status.NOT_FOUND_404,
                    known ? FastApiReplies.METHOD_NOT_ALLOWED : FastApiReplies.NOT_FOUND);
        });
        WebServer server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                // like uvicorn (asyncio sets TCP_NODELAY): per-frame flushes must not wait for delayed ACKs
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .routing(routing)
                .build()
                .start();
        if (!server.isRunning() || server.port() < 0) { // Helidon logs bind failures instead of throwing
            server.stop();
            throw new IllegalStateException("router-sim could not listen on " + config.host() + ":" + config.port());
        }
        return new RouterSim(node, server);
    }

    public int port() {
        return server.port();
    }

    /** {@code http://<host>:<port>}; a wildcard bind address is reported as 127.0.0.1. */
    public String baseUrl() {
        String host = node.config.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    /** Atomically replaces the behaviour; the next request sees it and {@code failEveryNth} counts from 1 again. */
    public void behave(Behavior behavior) {
        node.behave(behavior);
    }

    public Behavior behavior() {
        return node.active().behavior();
    }

    public SimStats stats() {
        return node.counters.snapshot();
    }

    /**
     * Responses the sim was still writing when the client closed the connection (a cancelled stream or fault):
     * how a test sees that a cancellation reached the router.
     */
    public long clientDisconnects() {
        return node.counters.clientDisconnects.sum();
    }

    /** Zeroes counters and forgets bodies ({@code inFlight} stays a live gauge); restarts {@code failEveryNth}. */
    public void resetStats() {
        node.resetStats();
    }

    /** Stops the server; requests sleeping on simulated latency are abandoned (their connections closed). */
    @Override
    public void close() {
        node.pacer.close();
        server.stop();
    }
}
