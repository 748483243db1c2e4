package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class FamilyStreamingTest extends FamilyTestBase {

    /** One prompt per kind of answer and family: prose with reasoning, tool calls, prefill, after a tool result. */
    static List<String> variety() {
        List<String> out = new ArrayList<>();
        for (String f : new String[] {"qwen", "oss", "gemma-4"}) {
            out.add(prompt(f, "c01_single_user"));
            out.add(prompt(f, "c07_tool_call_single_roundtrip"));
            out.add(replaceOnce(prompt(f, "c06_tools_declared_no_calls"), QwenAnswersTest.FLIGHT_ASK,
                    QwenAnswersTest.NAMES_TWO_TOOLS));
        }
        out.add(prompt("qwen", "c06_tools_declared_no_calls") + QwenAnswersTest.NO_THINK + "<tool_call>\n{\"name\": \"");
        out.add(prompt("oss", "c06_tools_declared_no_calls") + HarmonyAnswersTest.CALL_TO);
        out.add(prompt("gemma-4", "c14_reasoning_on"));
        return out;
    }

    @Test
    void stream_frames_concatenate_to_the_non_stream_text_with_equal_counts() {
        sim.behave(Behavior.defaults().withUsageInStream(true));
        for (String prompt : variety()) {
            Completion whole = complete(prompt);
            Streamed streamed = stream(prompt, 0);

            assertThat(streamed.text()).isEqualTo(whole.text());
            assertThat(streamed.frames()).hasSize(whole.completionTokens());
            assertThat(streamed.completionTokens()).isEqualTo(whole.completionTokens());
            assertThat(streamed.finish()).isEqualTo(whole.finish()).isEqualTo("stop");
        }
    }

    @Test
    void special_tokens_and_words_are_one_frame_each() {
        List<String> frames = stream(prompt("oss", "c01_single_user"), 0).frames();

        assertThat(frames.subList(0, 4)).containsExactly("<|channel|>", "analysis", "<|message|>", "sed ");
        assertThat(frames.subList(10, 17)).containsExactly("et", "<|end|>", "<|start|>", "assistant", "<|channel|>",
                "final", "<|message|>");
        assertThat(frames.getLast()).isEqualTo("<|return|>");
    }

    @Test
    void max_tokens_cuts_the_token_list_with_finish_length() {
        String prompt = prompt("qwen", "c01_single_user");

        Completion cut = complete(prompt, 5);
        Streamed streamed = stream(prompt, 5);
        Completion exact = complete(prompt("oss", "c01_single_user"), 34);

        assertThat(cut.text()).isEqualTo("<think>\nsed do eiusmod ");
        assertThat(cut.finish()).isEqualTo("length");
        assertThat(cut.completionTokens()).isEqualTo(5);
        assertThat(streamed.text()).isEqualTo(cut.text());
        assertThat(streamed.finish()).isEqualTo("length");
        assertThat(exact.finish()).isEqualTo("stop"); // the whole answer, <|return|> included, fits
        assertThat(complete(prompt("oss", "c01_single_user"), 33).text()).endsWith(ANSWER);
    }

    @Test
    void interleaved_miners_differ_only_in_uppercase_filler_words() {
        sim.behave(Behavior.defaults().withInterleaveMiners(true));
        String prompt = prompt("oss", "c01_single_user");

        List<String> events = SimClient.dataEvents(client.post("/api/v1/completions/1", body(prompt, true, 0)).body());
        StringBuilder first = new StringBuilder();
        StringBuilder second = new StringBuilder();
        String id0 = SimClient.json(events.getFirst()).get("id").asText();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode f = SimClient.json(e);
            (f.get("id").asText().equals(id0) ? first : second).append(f.at("/choices/0/text").asText());
        }
        JsonNode whole = SimClient.json(client.post("/api/v1/completions/1", body(prompt, false, 0)).body());

        assertThat(first).hasToString(complete(prompt).text());
        assertThat(second.toString()).isEqualTo("<|channel|>analysis<|message|>" + REASONING.toUpperCase()
                + "<|end|><|start|>assistant<|channel|>final<|message|>" + ANSWER.toUpperCase() + "<|return|>");
        assertThat(whole.at("/choices/1/text").asText()).isEqualTo(second.toString());
    }

    @Test
    void cut_mid_stream_and_comment_lines_work_on_family_answers() throws Exception {
        sim.behave(Behavior.defaults().withFailure(Behavior.Failure.CUT_MID_STREAM).withCutAfterChunks(3)
                .withCommentLines(true));
        try (Socket s = client.rawPost("/api/v1/completions/1", body(prompt("gemma-4", "c14_reasoning_on"), true, 0))) {
            SimClient.Wire wire = SimClient.readToClose(s);

            assertThat(wire.dataLines()).hasSize(3).doesNotContain("[DONE]");
            assertThat(wire.dataLines()).extracting(d -> SimClient.json(d).at("/choices/0/text").asText())
                    .containsExactly("<|channel>", "thought", "\n");
            assertThat(wire.text()).contains(": keep-alive\n\n");
        }
    }
}
