package ai.cortensor.portal.billing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void amounts_read_as_dollars_and_cents_or_as_many_decimals_as_they_need() {
        assertThat(Money.usd(5_000_000)).isEqualTo("$5.00");
        assertThat(Money.usd(120)).isEqualTo("$0.00012");
        assertThat(Money.usd(-2_500_000)).isEqualTo("-$2.50");
        assertThat(Money.decimal(5_000_000)).isEqualTo("5.00");
        assertThat(Money.decimal(1_499_937)).isEqualTo("1.499937");
        assertThat(Money.decimal(-2_500_000)).isEqualTo("-2.50");
        assertThat(Money.decimal(0)).isEqualTo("0.00");
    }

    @Test
    void typed_amounts_parse_to_micro_usd_and_anything_else_is_refused() {
        assertThat(Money.parseUsd("12.50")).isEqualTo(12_500_000);
        assertThat(Money.parseUsd(" $5 ")).isEqualTo(5_000_000);
        assertThat(Money.parseUsd("0.000001")).isEqualTo(1);
        assertThat(Money.parseUsd("0.0000001")).as("finer than a micro-dollar").isNull();
        assertThat(Money.parseUsd("1e3")).isNull();
        assertThat(Money.parseUsd("five")).isNull();
        assertThat(Money.parseUsd("")).isNull();
        assertThat(Money.parseUsd(null)).isNull();
    }
}
