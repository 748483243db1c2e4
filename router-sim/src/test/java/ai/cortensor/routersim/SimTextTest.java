package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimTextTest {

    @Test
    void prompt_tokens_count_whitespace_separated_words_at_least_one() {
        assertThat(SimText.promptTokens("")).isEqualTo(1);
        assertThat(SimText.promptTokens("   \n\t ")).isEqualTo(1);
        assertThat(SimText.promptTokens("one")).isEqualTo(1);
        assertThat(SimText.promptTokens(" one\ttwo\n\nthree  ")).isEqualTo(3);
    }

    @Test
    void completion_tokens_are_capped_by_positive_max_tokens_only() {
        assertThat(SimText.completionTokens(0, 16)).isEqualTo(16);
        assertThat(SimText.completionTokens(-4, 16)).isEqualTo(16);
        assertThat(SimText.completionTokens(5, 16)).isEqualTo(5);
        assertThat(SimText.completionTokens(50, 16)).isEqualTo(16);
        assertThat(SimText.finishReason(16, 16)).isEqualTo("length");
        assertThat(SimText.finishReason(0, 16)).isEqualTo("stop");
        assertThat(SimText.finishReason(50, 16)).isEqualTo("stop");
    }

    @Test
    void text_cycles_the_word_list_with_trailing_spaces() {
        assertThat(SimText.text(0, 17)).startsWith("lorem ipsum ").endsWith(" et lorem ");
        assertThat(SimText.text(1, 2)).isEqualTo("LOREM IPSUM ");
        assertThat(SimText.token(0, 16)).isEqualTo(SimText.token(0, 0));
        assertThat(SimText.text(0, 0)).isEmpty();
    }
}
