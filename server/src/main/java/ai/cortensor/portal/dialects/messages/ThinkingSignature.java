package ai.cortensor.portal.dialects.messages;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The {@code signature} of a thinking block. Anthropic's SDKs expect one on every thinking block (and clients send
 * it back with the block); here it is an opaque, stable digest of the thinking text: the same reasoning always has
 * the same signature, on every replica and after restarts, and it carries no secret. Signatures sent back are not
 * checked: earlier reasoning is the client's to send, as {@code reasoning_content} is on the OpenAI routes.
 */
final class ThinkingSignature {
    private static final byte[] DOMAIN = "cortensor-thinking-v1\n".getBytes(StandardCharsets.US_ASCII);

    private ThinkingSignature() {}

    static String of(CharSequence thinking) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(DOMAIN);
            sha.update(thinking.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
