package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Helpers for the family tests: the reference prompts (copied from the shared chat-template vectors into
 * {@code chat-templates/prompts.json}), one-call completions and streams, and the sim's fixed filler texts.
 */
abstract class FamilyTestBase extends SimTestBase {

    /** Default reasoning: 8 filler words starting at "sed". */
    static final String REASONING = "sed do eiusmod tempor incididunt ut labore et";
    /** Default prose answer: 16 filler words starting at "lorem", no trailing space. */
    static final String ANSWER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
            + "incididunt ut labore et";
    static final String WJ = "\u2060";

    private static JsonNode prompts;

    /** A non-streaming answer. */
    record Completion(String text, String finish, int completionTokens) {
    }

    /** A streamed answer: the text of each data frame before the final one; usage -1 when not in the stream. */
    record Streamed(List<String> frames, String finish, int completionTokens) {
        String text() {
            return String.join("", frames);
        }
    }

    static synchronized String prompt(String family, String caseId) {
        if (prompts == null) {
            try (InputStream in = FamilyTestBase.class.getResourceAsStream("/chat-templates/prompts.json")) {
                prompts = SimClient.JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        JsonNode p = prompts.path(family).path(caseId);
        assertThat(p.isTextual()).as(family + " " + caseId).isTrue();
        return p.textValue();
    }

    /** {@code prompt} with its one occurrence of {@code from} replaced. */
    static String replaceOnce(String prompt, String from, String to) {
        int at = prompt.indexOf(from);
        assertThat(at).as("occurs: " + from).isNotNegative();
        assertThat(prompt.indexOf(from, at + 1)).as("occurs once: " + from).isNegative();
        return prompt.substring(0, at) + to + prompt.substring(at + from.length());
    }

    static String body(String prompt, boolean stream, int maxTokens) {
        ObjectNode b = SimClient.JSON.createObjectNode().put("prompt", prompt).put("stream", stream);
        if (maxTokens > 0) {
            b.put("max_tokens", maxTokens);
        }
        return b.toString();
    }

    static Completion complete(String prompt) {
        return complete(prompt, 0);
    }

    static Completion complete(String prompt, int maxTokens) {
        HttpResponse<String> res = client.post("/api/v1/completions/1", body(prompt, false, maxTokens));
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode b = SimClient.json(res.body());
        return new Completion(b.at("/choices/0/text").asText(), b.at("/choices/0/finish_reason").asText(),
                b.at("/usage/completion_tokens").asInt());
    }

    static Streamed stream(String prompt, int maxTokens) {
        HttpResponse<String> res = client.post("/api/v1/completions/1", body(prompt, true, maxTokens));
        assertThat(res.statusCode()).isEqualTo(200);
        List<String> events = SimClient.dataEvents(res.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        List<String> frames = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 2)) {
            JsonNode f = SimClient.json(e);
            assertThat(f.at("/choices/0/finish_reason").isNull()).isTrue();
            frames.add(f.at("/choices/0/text").asText());
        }
        JsonNode last = SimClient.json(events.get(events.size() - 2));
        assertThat(last.at("/choices/0/text").asText()).isEmpty();
        return new Streamed(frames, last.at("/choices/0/finish_reason").asText(),
                last.has("usage") ? last.at("/usage/completion_tokens").asInt() : -1);
    }

    static JsonNode json(String text) {
        return SimClient.json(text);
    }
}
