package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Any whole router answer (a non-streaming body; the same parse reads each stream frame): read, or rejected with an
 * {@link IOException} that the gateway turns into a retry on another target. Never another exception; the text
 * read is at most one character per byte (JSON escapes only shrink).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RouterReplyFuzzTest {
    @FuzzTest
    void anyAnswerIsReadOrRejectedAsMalformed(byte[] body) {
        RouterReply reply;
        try {
            reply = RouterReply.parse(body);
        } catch (IOException e) {
            return;
        }
        assertThat(reply.text()).isNotNull();
        assertThat(reply.text().length()).isLessThanOrEqualTo(body.length);
        if (reply.completionTokens() == null) {
            assertThat(reply.promptTokens()).as("prompt tokens without completion tokens").isNull();
        }
    }
}
