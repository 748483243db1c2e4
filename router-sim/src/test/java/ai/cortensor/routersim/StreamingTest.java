package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class StreamingTest extends SimTestBase {

    @Test
    void stream_ends_with_done_and_reports_deterministic_text() {
        HttpResponse<String> res = client.post("/api/v1/completions/1", "{\"prompt\":\"a b c\",\"stream\":true,\"max_tokens\":5}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        List<String> events = SimClient.dataEvents(res.body());
        assertThat(events).hasSize(5 + 1 + 1);
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String id = null;
        for (String e : events.subList(0, 5)) {
            JsonNode frame = SimClient.json(e);
            id = id == null ? frame.get("id").asText() : id;
            assertThat(frame.get("id").asText()).isEqualTo(id);
            assertThat(frame.get("task_id").isInt()).isTrue();
            assertThat(frame.get("object").asText()).isEqualTo("text_completion");
            assertThat(frame.get("model").asText()).isEqualTo("sim");
            assertThat(frame.at("/choices/0/finish_reason").isNull()).isTrue();
            text.append(frame.at("/choices/0/text").asText());
        }
        assertThat(text).hasToString("lorem ipsum dolor sit amet ");
        JsonNode last = SimClient.json(events.get(5));
        assertThat(last.at("/choices/0/text").asText()).isEmpty();
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(last.has("usage")).isFalse();
        assertThat(res.body()).doesNotContain(": keep-alive");
        assertThat(sim.stats().streamsStarted()).isEqualTo(1);
    }

    @Test
    void usage_in_stream_is_on_final_frame_only() {
        sim.behave(Behavior.defaults().withUsageInStream(true).withCompletionTokens(3));
        List<String> events = SimClient.dataEvents(
                client.post("/api/v1/completions/1", "{\"prompt\":\"one two\",\"stream\":true}").body());
        assertThat(events).hasSize(5);
        assertThat(SimClient.json(events.get(0)).has("usage")).isFalse();
        JsonNode last = SimClient.json(events.get(3));
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(last.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
        assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(last.at("/usage/total_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void comment_lines_precede_first_frame_and_recur() {
        sim.behave(Behavior.defaults().withCommentLines(true).withCompletionTokens(9));
        String body = client.post("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}").body();
        assertThat(body).startsWith(": keep-alive\n\ndata: ");
        assertThat(body.split(": keep-alive\n\n", -1)).hasSize(1 + 3); // before token 0, 4 and 8
        assertThat(SimClient.dataEvents(body)).hasSize(9 + 2);
    }

    @Test
    void interleaved_stream_can_be_demultiplexed_by_first_id() {
        sim.behave(Behavior.defaults().withInterleaveMiners(true).withCompletionTokens(4));
        List<String> events = SimClient.dataEvents(
                client.post("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}").body());
        assertThat(events.getLast()).isEqualTo("[DONE]");

        String lockedId = null;
        StringBuilder locked = new StringBuilder();
        StringBuilder other = new StringBuilder();
        List<String> idsInOrder = new ArrayList<>();
        List<Integer> taskIds = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode frame = SimClient.json(e);
            String id = frame.get("id").asText();
            idsInOrder.add(id);
            lockedId = lockedId == null ? id : lockedId;
            if (id.equals(lockedId)) {
                locked.append(frame.at("/choices/0/text").asText());
            } else {
                other.append(frame.at("/choices/0/text").asText());
                taskIds.add(frame.get("task_id").asInt());
            }
        }
        assertThat(locked).hasToString("lorem ipsum dolor sit ");
        assertThat(other).hasToString("LOREM IPSUM DOLOR SIT ");
        assertThat(idsInOrder.get(1)).isNotEqualTo(idsInOrder.get(0));
        assertThat(idsInOrder.get(2)).isEqualTo(idsInOrder.get(0)); // alternating
        assertThat(taskIds.getFirst()).isNotEqualTo(SimClient.json(events.get(0)).get("task_id").asInt());
    }

    @Test
    void headers_arrive_before_ttft_and_tokens_are_paced_by_tps() throws Exception {
        sim.behave(Behavior.defaults().withTtftMillis(400).withTokensPerSecond(20).withCompletionTokens(5));
        long t0 = System.nanoTime();
        HttpResponse<InputStream> res = client.postStreaming("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}");
        long headersMs = (System.nanoTime() - t0) / 1_000_000;
        List<Long> frameMs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    frameMs.add((System.nanoTime() - t0) / 1_000_000);
                }
            }
        }
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(headersMs).isLessThan(300);
        assertThat(frameMs).hasSize(7);
        assertThat(frameMs.get(0)).isBetween(380L, 2_000L);
        assertThat(frameMs.get(4) - frameMs.get(0)).isBetween(170L, 2_000L); // 4 gaps of 50 ms
    }

    @Test
    void client_disconnect_stops_the_stream_promptly() throws Exception {
        sim.behave(Behavior.defaults().withTokensPerSecond(20).withCompletionTokens(400)); // 20 s if never stopped
        try (Socket s = client.rawPost("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}")) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            String seen = "";
            while (!seen.contains("data: ")) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                seen += new String(buf, 0, n, StandardCharsets.US_ASCII);
            }
            assertThat(sim.stats().inFlight()).isEqualTo(1);
        }
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (sim.stats().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(sim.stats().inFlight()).isZero();
        assertThat(SimClient.json(client.get("/_sim/stats").body()).get("clientDisconnects").asLong()).isEqualTo(1);
    }
}
