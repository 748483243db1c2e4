package ai.cortensor.portal.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * {@code ctsr_<publicId>_<secret>}: a 12-character base62 public id (finds the row) and a 40-character base62 secret
 * (~238 bits). Keys are high-entropy, so a single SHA-256 is the right hash: no slow KDF on the hot path.
 */
public final class KeyFormat {
    public static final String PREFIX = "ctsr_";
    static final int PUBLIC_ID_LENGTH = 12;
    static final int SECRET_LENGTH = 40;
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private KeyFormat() {}

    /** A freshly generated key: the full token (shown once) and its parts. */
    public record Generated(String token, String publicId, byte[] secretHash) {}

    /** A presented token split into its parts; {@code null} from {@link #parse} when the shape is wrong. */
    public record Parsed(String publicId, String secret) {}

    public static Generated generate(SecureRandom random) {
        return generate(random, PREFIX);
    }

    public static Parsed parse(String token) {
        return parse(token, PREFIX);
    }

    /** A token of this shape with another prefix (operator tokens are {@code ctop_}), so kinds never mix. */
    public static Generated generate(SecureRandom random, String prefix) {
        String publicId = randomString(random, PUBLIC_ID_LENGTH);
        String secret = randomString(random, SECRET_LENGTH);
        return new Generated(prefix + publicId + "_" + secret, publicId, hash(secret));
    }

    public static Parsed parse(String token, String prefix) {
        if (token == null || token.length() != prefix.length() + PUBLIC_ID_LENGTH + 1 + SECRET_LENGTH
                || !token.startsWith(prefix) || token.charAt(prefix.length() + PUBLIC_ID_LENGTH) != '_') {
            return null;
        }
        String publicId = token.substring(prefix.length(), prefix.length() + PUBLIC_ID_LENGTH);
        String secret = token.substring(prefix.length() + PUBLIC_ID_LENGTH + 1);
        if (!isBase62(publicId) || !isBase62(secret)) {
            return null;
        }
        return new Parsed(publicId, secret);
    }

    private static final MessageDigest SHA256;
    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    public static byte[] hash(String secret) {
        try {
            // cloning a prototype skips the provider lookup of getInstance on every request
            return ((MessageDigest) SHA256.clone()).digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
        }
    }

    /** Constant-time comparison of the presented secret's hash against the stored one. */
    public static boolean matches(String secret, byte[] storedHash) {
        return MessageDigest.isEqual(hash(secret), storedHash);
    }

    private static String randomString(SecureRandom random, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    private static boolean isBase62(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }
}
