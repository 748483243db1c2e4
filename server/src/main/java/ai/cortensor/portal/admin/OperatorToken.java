package ai.cortensor.portal.admin;

import ai.cortensor.portal.keys.KeyFormat;
import java.security.SecureRandom;

/**
 * {@code ctop_<publicId>_<secret>}: an operator's bearer token, shaped like an API key (12-character base62 public
 * id, 40-character base62 secret, SHA-256 of the secret stored) but with its own prefix, so neither kind of token is
 * ever mistaken for the other: the gateway refuses {@code ctop_} tokens and {@code /admin/api} refuses API keys.
 */
public final class OperatorToken {
    public static final String PREFIX = "ctop_";
    private static final int PUBLIC_ID_LENGTH = 12;
    private static final int SECRET_LENGTH = 40;
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private OperatorToken() {}

    public record Generated(String token, String publicId, byte[] secretHash) {}

    public record Parsed(String publicId, String secret) {}

    public static Generated generate(SecureRandom random) {
        String publicId = random(random, PUBLIC_ID_LENGTH);
        String secret = random(random, SECRET_LENGTH);
        return new Generated(PREFIX + publicId + "_" + secret, publicId, KeyFormat.hash(secret));
    }

    /** The token's parts, or null when it is not shaped like an operator token. */
    public static Parsed parse(String token) {
        if (token == null || token.length() != PREFIX.length() + PUBLIC_ID_LENGTH + 1 + SECRET_LENGTH
                || !token.startsWith(PREFIX) || token.charAt(PREFIX.length() + PUBLIC_ID_LENGTH) != '_') {
            return null;
        }
        String publicId = token.substring(PREFIX.length(), PREFIX.length() + PUBLIC_ID_LENGTH);
        String secret = token.substring(PREFIX.length() + PUBLIC_ID_LENGTH + 1);
        return base62(publicId) && base62(secret) ? new Parsed(publicId, secret) : null;
    }

    private static String random(SecureRandom random, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    private static boolean base62(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }
}
