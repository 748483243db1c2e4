package ai.cortensor.portal.usage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts tokens when a router does not report usage (counts are then flagged as estimated). Uses the o200k_base
 * encoding of the gpt-oss family; for other models it is an estimate, which the flag says.
 */
public final class TokenCounter {
    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    public int count(CharSequence text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text.toString());
    }
}
