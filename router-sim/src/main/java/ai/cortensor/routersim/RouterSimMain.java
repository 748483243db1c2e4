package ai.cortensor.routersim;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Standalone sim for demos and benchmarks: {@code java -cp ... ai.cortensor.routersim.RouterSimMain [options]}.
 * Prints exactly one line {@code router-sim listening on http://<host>:<port>} to stdout once listening, then runs
 * until killed. Exit status 2 on bad arguments.
 */
public final class RouterSimMain {

    private static final String USAGE = """
            usage: RouterSimMain [options]
              --host H             bind address (default 127.0.0.1)
              --port N             port, 0 = any free (default 0)
              --name S             node name / model (default sim)
              --api-key K          required bearer token (default default-dev-token)
              --no-auth            accept requests without a token
              --sessions 1,2|any   known session ids (default 1)
              --ttft-ms N          time to first token (default 0)
              --tps X              tokens per second, 0 = no delay (default 0)
              --tokens N           completion tokens (default 16)
              --fail F             NONE|HTTP_500|HTTP_502|HTTP_503|TIMEOUT|RESET_BEFORE_FIRST_BYTE|CUT_MID_STREAM|GARBAGE|ENDLESS_LINE|TRICKLE
              --fail-every N       inject the failure into every N-th request (default 1)
              --cut-after N        data frames before CUT_MID_STREAM kills the stream (default 3)
              --timeout-ms N       silence of TIMEOUT before closing (default 30000)
              --interleave         answer as two interleaved miners
              --usage-in-stream    final stream frame carries usage
              --comments           SSE keep-alive comment lines
              --reasoning-tokens N family prompts: words of reasoning (default 8)
              --stop-tokens M      FAMILY_DEFAULT|ALWAYS|NEVER: stop token at the end of family answers
              --drop-special       family prompts: drop special tokens from the text (skip_special_tokens)
            """;

    private RouterSimMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        SimConfig config = SimConfig.defaults();
        Behavior behavior = Behavior.defaults();
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                switch (flag) {
                    case "--no-auth" -> config = config.withApiKey(null);
                    case "--interleave" -> behavior = behavior.withInterleaveMiners(true);
                    case "--usage-in-stream" -> behavior = behavior.withUsageInStream(true);
                    case "--comments" -> behavior = behavior.withCommentLines(true);
                    case "--drop-special" -> behavior = behavior.withDropSpecialTokens(true);
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    default -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("missing value for " + flag);
                        }
                        String v = args[++i];
                        switch (flag) {
                            case "--host" -> config = config.withHost(v);
                            case "--port" -> config = config.withPort(Integer.parseInt(v));
                            case "--name" -> config = config.withName(v);
                            case "--api-key" -> config = config.withApiKey(v);
                            case "--sessions" -> config = config.withSessionIds(sessions(v));
                            case "--ttft-ms" -> behavior = behavior.withTtftMillis(Long.parseLong(v));
                            case "--tps" -> behavior = behavior.withTokensPerSecond(Double.parseDouble(v));
                            case "--tokens" -> behavior = behavior.withCompletionTokens(Integer.parseInt(v));
                            case "--fail" -> behavior = behavior.withFailure(
                                    Behavior.Failure.valueOf(v.toUpperCase(Locale.ROOT)));
                            case "--fail-every" -> behavior = behavior.withFailEveryNth(Integer.parseInt(v));
                            case "--cut-after" -> behavior = behavior.withCutAfterChunks(Integer.parseInt(v));
                            case "--timeout-ms" -> behavior = behavior.withTimeoutMillis(Long.parseLong(v));
                            case "--reasoning-tokens" -> behavior = behavior.withReasoningTokens(Integer.parseInt(v));
                            case "--stop-tokens" -> behavior = behavior.withStopTokens(
                                    Behavior.StopTokens.valueOf(v.toUpperCase(Locale.ROOT)));
                            default -> throw new IllegalArgumentException("unknown option " + flag);
                        }
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("router-sim: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }

        RouterSim sim = RouterSim.start(config);
        sim.behave(behavior);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "router-sim-shutdown"));
        System.out.println("router-sim listening on " + sim.baseUrl());
        System.out.flush();
        stopped.await();
    }

    /** "1,2,3" or "any" (empty set = every session id accepted). */
    static Set<Long> sessions(String spec) {
        Set<Long> ids = new LinkedHashSet<>();
        if (spec.isBlank() || spec.equalsIgnoreCase("any")) {
            return ids;
        }
        for (String part : spec.split(",")) {
            ids.add(Long.parseLong(part.trim()));
        }
        return ids;
    }
}
