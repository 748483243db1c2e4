package ai.cortensor.portal.families;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** Any Gemma 4 output: parsed without an exception, the same whole and in any split, bounded (see {@link OutputFuzzing}). */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Gemma4ParserFuzzTest {
    @DictionaryFile(resourcePath = "outputs.dict")
    @FuzzTest
    void anyOutputIsParsedTheSameWholeAndInAnySplit(byte[] input) {
        OutputFuzzing.check(Families.GEMMA_4, input);
    }
}
