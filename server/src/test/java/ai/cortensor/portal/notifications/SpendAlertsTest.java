package ai.cortensor.portal.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.PortalConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class SpendAlertsTest {
    @Test
    void thresholds_are_50_80_and_100_percent_of_the_cap() {
        assertThat(SpendAlerts.threshold(49, 100, false)).isZero();
        assertThat(SpendAlerts.threshold(50, 100, false)).isEqualTo(50);
        assertThat(SpendAlerts.threshold(79, 100, false)).isEqualTo(50);
        assertThat(SpendAlerts.threshold(80, 100, false)).isEqualTo(80);
        assertThat(SpendAlerts.threshold(99, 100, false)).isEqualTo(80);
        assertThat(SpendAlerts.threshold(100, 100, false)).isEqualTo(100);
        assertThat(SpendAlerts.threshold(3_000_000_000_000L, 2_000_000_000_000L, false)).isEqualTo(100);
    }

    @Test
    void a_refusal_counts_as_reached_only_once_80_percent_is_spent() {
        assertThat(SpendAlerts.threshold(85, 100, true)).as("the next worst case no longer fits").isEqualTo(100);
        assertThat(SpendAlerts.threshold(10, 100, true)).as("one request too large for the budget").isZero();
        assertThat(SpendAlerts.threshold(60, 100, true)).isEqualTo(50);
    }

    @Test
    void the_alert_period_names_the_budget_its_period_and_its_cap_so_a_new_cap_alerts_afresh() {
        var c = new SpendAlerts.BudgetCrossing("u7", "key", 12L, "laptop", "month", 5_000_000, 4_000_000, false,
                Instant.parse("2025-03-01T00:00:00Z"), "key:12:month");
        assertThat(c.alertPeriod()).isEqualTo("key:12:month@2025-03-01/5000000");
        assertThat(c.resetsAt()).isEqualTo(Instant.parse("2025-04-01T00:00:00Z"));
        var day = new SpendAlerts.BudgetCrossing("u7", "account", null, null, "day", 1, 1, false,
                Instant.parse("2025-03-31T00:00:00Z"), "account:u7:day");
        assertThat(day.resetsAt()).isEqualTo(Instant.parse("2025-04-01T00:00:00Z"));
    }

    @Test
    void webhook_retries_double_with_jitter_and_never_wait_more_than_two_hours() {
        Webhooks webhooks = new Webhooks(Jdbi.create("jdbc:postgresql://127.0.0.1:1/none"),
                new PortalConfig.Webhooks(Duration.ofSeconds(5), 10, Duration.ofSeconds(30), 8, false),
                InstantSource.system(), new SecureRandom());
        for (int n = 1; n <= 12; n++) {
            long nominal = Math.min(Duration.ofHours(2).toMillis(), 30_000L << (n - 1));
            for (int i = 0; i < 50; i++) {
                long d = webhooks.retryDelay(n).toMillis();
                assertThat(d).as("attempt %s", n).isBetween(nominal / 2, nominal);
            }
        }
    }
}
