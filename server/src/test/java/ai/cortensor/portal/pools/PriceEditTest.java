package ai.cortensor.portal.pools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PriceEditTest {
    private static final Prices LIST = new Prices(60_000, 240_000, 500_000L);

    @Test
    void a_price_left_out_of_an_edit_keeps_its_value() {
        assertThat(new Prices.Edit(70_000L, null, false, null).applyTo(LIST)).isEqualTo(new Prices(70_000, 240_000, 500_000L));
        assertThat(new Prices.Edit(null, 1L, false, null).applyTo(LIST)).isEqualTo(new Prices(60_000, 1, 500_000L));
    }

    @Test
    void reasoning_set_to_null_prices_reasoning_tokens_as_output_again() {
        Prices cleared = new Prices.Edit(null, null, true, null).applyTo(LIST);
        assertThat(cleared.reasoning()).isNull();
        assertThat(cleared.cost(0, 1_000_000, 1_000_000)).isEqualTo(240_000);
        assertThat(new Prices.Edit(null, null, false, null).empty()).isTrue();
        assertThat(new Prices.Edit(null, null, true, null).empty()).isFalse();
    }
}
