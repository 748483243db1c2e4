package ai.cortensor.portal.keys;

/** The outcome of checking a presented key: a value, so the caller's {@code switch} is exhaustive. */
public sealed interface Authentication {

    record Authenticated(ApiKey key) implements Authentication {}

    /** {@code code} is the stable OpenAI-style error code; {@code message} is safe to show the caller. */
    record Denied(String code, String message) implements Authentication {}
}
