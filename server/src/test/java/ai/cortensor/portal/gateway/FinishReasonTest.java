package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FinishReasonTest {
    @Test
    void a_completed_answer_records_the_models_own_end_and_other_words_for_a_normal_end_as_stop() {
        assertThat(Gateway.finishReason("length")).isEqualTo("length");
        assertThat(Gateway.finishReason("tool_calls")).isEqualTo("tool_calls");
        assertThat(Gateway.finishReason("content_filter")).isEqualTo("content_filter");
        assertThat(Gateway.finishReason("stop")).isEqualTo("stop");
        assertThat(Gateway.finishReason("eos")).isEqualTo("stop");
        assertThat(Gateway.finishReason(null)).isEqualTo("stop");
    }
}
