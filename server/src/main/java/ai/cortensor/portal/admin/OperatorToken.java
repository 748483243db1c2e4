package ai.cortensor.portal.admin;

import ai.cortensor.portal.keys.KeyFormat;
import java.security.SecureRandom;

/**
 * {@code ctop_<publicId>_<secret>}: an operator's bearer token, shaped like an API key ({@link KeyFormat}: 12-character
 * base62 public id, 40-character base62 secret, SHA-256 of the secret stored) but with its own prefix, so neither
 * kind of token is ever mistaken for the other: the gateway refuses {@code ctop_} tokens and {@code /admin/api}
 * refuses API keys.
 */
public final class OperatorToken {
    public static final String PREFIX = "ctop_";

    private OperatorToken() {}

    public static KeyFormat.Generated generate(SecureRandom random) {
        return KeyFormat.generate(random, PREFIX);
    }

    /** The token's parts, or null when it is not shaped like an operator token. */
    public static KeyFormat.Parsed parse(String token) {
        return KeyFormat.parse(token, PREFIX);
    }
}
