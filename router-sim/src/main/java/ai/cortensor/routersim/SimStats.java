package ai.cortensor.routersim;

import java.util.List;

/**
 * Point-in-time counters of one sim, since start or the last {@link RouterSim#resetStats()}.
 *
 * @param completions      completion requests that passed auth (whatever their outcome: 404, 422, injected failure, success)
 * @param failuresInjected completion requests answered with the configured {@link Behavior.Failure}
 * @param inFlight         completion requests currently being handled (including sleeping TIMEOUT ones)
 * @param streamsStarted   streaming responses whose 200 status line was sent
 * @param lastBodies       raw bodies (UTF-8) of the last at most 20 completion requests that passed auth, newest last
 */
public record SimStats(long completions, long failuresInjected, int inFlight, long streamsStarted, List<String> lastBodies) {

    public SimStats {
        lastBodies = List.copyOf(lastBodies);
    }
}
