package ai.cortensor.portal.plans;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitTest {
    @Test
    void a_limit_of_one_reads_in_the_singular_and_others_in_the_plural() {
        assertThat(new Limit(Limit.Scope.ACCOUNT, "u1", LimitKind.REQUESTS_PER_MINUTE, 1, Duration.ofMinutes(1))
                .describe()).isEqualTo("1 request per minute on your account");
        assertThat(new Limit(Limit.Scope.KEY, "7", LimitKind.CONCURRENT_REQUESTS, 1, Duration.ZERO).describe())
                .isEqualTo("1 concurrent request on this key");
        assertThat(new Limit(Limit.Scope.ACCOUNT, "u1", LimitKind.WEEKLY_TOKENS, 2, Duration.ofDays(7)).describe())
                .isEqualTo("2 tokens per week on your account");
    }
}
