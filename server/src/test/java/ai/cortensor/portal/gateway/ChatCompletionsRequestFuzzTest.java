package ai.cortensor.portal.gateway;

import ai.cortensor.portal.dialects.openai.OpenAiDialect;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** Any {@code /v1/chat/completions} body: parsed and rendered, or refused with a client error ({@link RequestFuzzing}). */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChatCompletionsRequestFuzzTest {
    @DictionaryFile(resourcePath = "openai.dict")
    @FuzzTest
    void anyBodyIsParsedAndRenderedOrRefusedWithAClientError(byte[] body) {
        RequestFuzzing.check(OpenAiDialect.CHAT, body, null);
    }
}
