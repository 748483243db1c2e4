package ai.cortensor.portal.pools;

import java.util.Objects;

/**
 * One router endpoint of a pool. {@code routerKey} is a secret: it is sent to the router and nowhere else, and
 * {@link #toString()} leaves it out. {@code baseUrl} and {@code sessionId} never reach a customer either.
 */
public record RouterTarget(long id, String name, String pool, String protocol, String baseUrl, Long sessionId,
                           String routerKey, int weight, int maxConcurrency) {

    /** The completion URL for this target's protocol. */
    public String completionsUrl() {
        return switch (protocol) {
            case "cortensor-v1" -> baseUrl + "/api/v1/completions";
            case "openai" -> baseUrl + "/v1/completions";
            default -> baseUrl + "/api/v3/completions/" + sessionId;
        };
    }

    /** Where health is probed: {@code /api/v1/ping} on a Cortensor router, {@code /v1/models} on an OpenAI server. */
    public String probeUrl() {
        return "openai".equals(protocol) ? baseUrl + "/v1/models" : baseUrl + "/api/v1/ping";
    }

    /** Cheap: the router client looks its encoded request heads up by target on every call. */
    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Objects.hashCode(baseUrl);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof RouterTarget t && id == t.id && weight == t.weight
                && maxConcurrency == t.maxConcurrency && Objects.equals(name, t.name) && Objects.equals(pool, t.pool)
                && Objects.equals(protocol, t.protocol) && Objects.equals(baseUrl, t.baseUrl)
                && Objects.equals(sessionId, t.sessionId) && Objects.equals(routerKey, t.routerKey);
    }

    @Override
    public String toString() {
        return "RouterTarget[" + pool + "/" + name + "]";
    }
}
