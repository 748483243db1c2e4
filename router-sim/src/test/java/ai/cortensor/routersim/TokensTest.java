package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class TokensTest {

    @Test
    void special_tokens_words_with_their_space_whitespace_runs_and_punctuation_are_tokens() {
        assertThat(Tokens.split("<|channel|>final<|message|>Hi there, you.\n\n<|return|>", Family.HARMONY))
                .containsExactly("<|channel|>", "final", "<|message|>", "Hi ", "there", ", ", "you", ".", "\n\n",
                        "<|return|>");
        assertThat(Tokens.split("{\"a\": [1, true]}", Family.QWEN))
                .containsExactly("{", "\"", "a", "\"", ": ", "[", "1", ", ", "true", "]", "}");
        assertThat(Tokens.split("call:f{k:<|\"|>v w<|\"|>}", Family.GEMMA))
                .containsExactly("call", ":", "f", "{", "k", ":", "<|\"|>", "v ", "w", "<|\"|>", "}");
    }

    @Test
    void tags_of_other_families_and_neutralised_tags_are_ordinary_text() {
        assertThat(Tokens.split("<think>", Family.HARMONY)).containsExactly("<", "think", ">");
        assertThat(Tokens.split("<\u2060|end|>", Family.HARMONY)).containsExactly("<", "\u2060", "|", "end", "|", ">");
    }

    @Test
    void tokens_concatenate_to_the_input_and_never_split_a_surrogate_pair() {
        String text = "caf\u00e9 \ud83d\ude80\ud83d\udc4d\ud83c\udffd <tool_call>\n{\"x\": \"\u65e5\u672c\"}";
        List<String> tokens = Tokens.split(text, Family.QWEN);

        assertThat(String.join("", tokens)).isEqualTo(text);
        assertThat(tokens).contains("\ud83d\ude80", "<tool_call>", "\u65e5\u672c");
        assertThat(tokens).allSatisfy(t -> assertThat(Character.isLowSurrogate(t.charAt(0))).isFalse());
    }
}
