package ai.cortensor.portal.gateway;

import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.dialects.responses.ResponsesDialect;
import ai.cortensor.portal.dialects.responses.StoredResponses;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Timeout;

/**
 * Any {@code /v1/responses} body: parsed and rendered, or refused with a client error ({@link RequestFuzzing}); with
 * storage off, and with storage on but its database down (a {@code previous_response_id} is then the documented 503
 * {@code responses_unavailable}).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResponsesRequestFuzzTest {
    private static final InstantSource CLOCK = InstantSource.system();
    private static final ResponsesDialect WITHOUT_STORAGE = dialect(false);
    private static final ResponsesDialect WITH_STORAGE_DOWN = dialect(true);

    private static ResponsesDialect dialect(boolean storage) {
        Jdbi down = Jdbi.create(() -> {
            throw new SQLException("the database is down");
        });
        PortalConfig.Responses config = new PortalConfig.Responses(storage, Duration.ofDays(30), Duration.ofHours(1));
        return new ResponsesDialect(new StoredResponses(down, config, CLOCK), CLOCK);
    }

    @DictionaryFile(resourcePath = "responses.dict")
    @FuzzTest
    void anyBodyIsParsedAndRenderedOrRefusedWithAClientError(byte[] body) {
        RequestFuzzing.check(WITHOUT_STORAGE, body, null);
        RequestFuzzing.check(WITH_STORAGE_DOWN, body, "responses_unavailable");
    }
}
