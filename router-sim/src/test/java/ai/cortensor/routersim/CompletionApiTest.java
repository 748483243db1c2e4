package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompletionApiTest {

    static final String SIXTEEN = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
            + "incididunt ut labore et ";

    static RouterSim sim;
    static SimClient client;

    @BeforeAll
    static void start() {
        sim = RouterSim.start(SimConfig.defaults().withName("node-a").withSessionIds(Set.of(1L, 7L)));
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.behave(Behavior.defaults());
        sim.resetStats();
    }

    @Test
    void non_stream_completion_reports_deterministic_text_and_usage() {
        HttpResponse<String> res = client.post("/api/v1/completions/1", "{\"prompt\":\"  say   hello\\nworld \"}");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = SimClient.json(res.body());
        assertThat(body.get("id").asText()).matches("cmpl-\\d+");
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertThat(body.get("model").asText()).isEqualTo("node-a");
        assertThat(body.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(body.get("choices")).hasSize(1);
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("text").asText()).isEqualTo(SIXTEEN);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(16);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(19);
    }

    @Test
    void max_tokens_caps_output_and_finishes_with_length() {
        JsonNode capped = SimClient.json(client.post("/api/v2/completions/7", "{\"prompt\":\"x\",\"max_tokens\":3}").body());
        assertThat(capped.at("/choices/0/text").asText()).isEqualTo("lorem ipsum dolor ");
        assertThat(capped.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(capped.at("/usage/completion_tokens").asInt()).isEqualTo(3);

        sim.behave(Behavior.defaults().withCompletionTokens(18));
        JsonNode larger = SimClient.json(client.post("/api/v3/completions/7", "{\"prompt\":\"x\",\"max_tokens\":100}").body());
        assertThat(larger.at("/choices/0/text").asText()).isEqualTo(SIXTEEN + "lorem ipsum ");
        assertThat(larger.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(larger.at("/usage/prompt_tokens").asInt()).isEqualTo(1);
    }

    @Test
    void v1_completion_takes_session_id_from_body() {
        HttpResponse<String> ok = client.post("/api/v1/completions", "{\"prompt\":\"hi\",\"session_id\":7,\"max_tokens\":1}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(SimClient.json(ok.body()).at("/choices/0/text").asText()).isEqualTo("lorem ");

        HttpResponse<String> missing = client.post("/api/v1/completions", "{\"prompt\":\"hi\"}");
        assertThat(missing.statusCode()).isEqualTo(422);
        assertThat(SimClient.json(missing.body()).at("/detail/0/loc/1").asText()).isEqualTo("session_id");
    }

    @Test
    void unknown_session_is_404_with_fastapi_detail() {
        HttpResponse<String> res = client.post("/api/v1/completions/2", "{\"prompt\":\"hi\"}");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).isEqualTo("{\"detail\":\"Session not found\"}");
    }

    @Test
    void missing_prompt_and_malformed_json_are_422_with_pydantic_detail() {
        String expected = "{\"detail\":[{\"loc\":[\"body\",\"prompt\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}";
        for (String body : new String[] {"{\"max_tokens\":3}", "{not json", "", "{\"prompt\":42}", "[]"}) {
            HttpResponse<String> res = client.post("/api/v1/completions/1", body);
            assertThat(res.statusCode()).as(body).isEqualTo(422);
            assertThat(res.body()).as(body).isEqualTo(expected);
        }
    }

    @Test
    void completion_ids_count_up_per_sim() {
        String a = SimClient.json(client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}").body()).get("id").asText();
        String b = SimClient.json(client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}").body()).get("id").asText();
        assertThat(Long.parseLong(b.substring(5))).isEqualTo(Long.parseLong(a.substring(5)) + 1);
    }

    @Test
    void interleaved_miners_give_two_choices_with_usage_of_the_first() {
        sim.behave(Behavior.defaults().withInterleaveMiners(true).withCompletionTokens(2));
        JsonNode body = SimClient.json(client.post("/api/v1/completions/1", "{\"prompt\":\"a b\"}").body());
        assertThat(body.get("choices")).hasSize(2);
        assertThat(body.at("/choices/0/text").asText()).isEqualTo("lorem ipsum ");
        assertThat(body.at("/choices/1/text").asText()).isEqualTo("LOREM IPSUM ");
        assertThat(body.at("/choices/1/index").asInt()).isEqualTo(1);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(2);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(4);
    }

    @Test
    void non_stream_answer_waits_ttft_plus_tokens_over_tps() {
        sim.behave(Behavior.defaults().withTtftMillis(100).withTokensPerSecond(50).withCompletionTokens(10));
        long t0 = System.nanoTime();
        HttpResponse<String> res = client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(ms).isBetween(290L, 2_000L);
    }

    @Test
    void stats_count_completions_and_keep_last_twenty_bodies_newest_last() {
        for (int i = 0; i < 23; i++) {
            client.post("/api/v1/completions/1", "{\"prompt\":\"p" + i + "\",\"max_tokens\":1}");
        }
        // the response reaches the client a moment before the handler leaves, so the gauge settles shortly after
        await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().inFlight() == 0);
        SimStats stats = sim.stats();
        assertThat(stats.completions()).isEqualTo(23);
        assertThat(stats.lastBodies()).hasSize(20);
        assertThat(stats.lastBodies().get(0)).isEqualTo("{\"prompt\":\"p3\",\"max_tokens\":1}");
        assertThat(stats.lastBodies().get(19)).isEqualTo("{\"prompt\":\"p22\",\"max_tokens\":1}");

        sim.resetStats();
        assertThat(sim.stats().completions()).isZero();
        assertThat(sim.stats().lastBodies()).isEmpty();
    }
}
