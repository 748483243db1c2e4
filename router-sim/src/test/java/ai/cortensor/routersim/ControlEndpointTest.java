package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ControlEndpointTest extends SimTestBase {

    @Test
    void control_endpoint_changes_behavior_for_next_request() {
        HttpResponse<String> put = client.put("/_sim/behavior", "{\"completionTokens\":2,\"failure\":\"http_502\",\"failEveryNth\":2}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(SimClient.json(put.body()).get("failure").asText()).isEqualTo("HTTP_502");

        assertThat(sim.behavior()).isEqualTo(Behavior.defaults().withCompletionTokens(2)
                .withFailure(Behavior.Failure.HTTP_502).withFailEveryNth(2));
        HttpResponse<String> first = client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}");
        assertThat(SimClient.json(first.body()).at("/choices/0/text").asText()).isEqualTo("lorem ipsum ");
        assertThat(client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}").statusCode()).isEqualTo(502);
    }

    @Test
    void partial_put_keeps_unspecified_fields() {
        sim.behave(Behavior.defaults().withTtftMillis(5).withInterleaveMiners(true));
        client.put("/_sim/behavior", "{\"usageInStream\":true}");
        assertThat(sim.behavior()).isEqualTo(Behavior.defaults().withTtftMillis(5).withInterleaveMiners(true).withUsageInStream(true));

        JsonNode got = SimClient.json(client.send(client.request("/_sim/behavior", null).GET().build()).body());
        assertThat(got.fieldNames()).toIterable().containsExactly("ttftMillis", "tokensPerSecond", "completionTokens",
                "failure", "failEveryNth", "cutAfterChunks", "interleaveMiners", "usageInStream", "commentLines", "timeoutMillis",
                "reasoningTokens", "stopTokens", "dropSpecialTokens", "script", "jsonNonCompliantAttempts", "jsonFault");
        assertThat(got.get("ttftMillis").asLong()).isEqualTo(5);
        assertThat(got.get("usageInStream").asBoolean()).isTrue();
    }

    @Test
    void invalid_put_is_rejected_and_changes_nothing() {
        Behavior before = sim.behavior();
        for (String body : new String[] {"{\"failEveryNth\":0}", "{\"bogus\":1}", "{\"failure\":\"EXPLODE\"}", "[1]", "{x"}) {
            HttpResponse<String> res = client.put("/_sim/behavior", body);
            assertThat(res.statusCode()).as(body).isEqualTo(422);
            assertThat(SimClient.json(res.body()).get("detail").isTextual()).as(body).isTrue();
        }
        assertThat(sim.behavior()).isEqualTo(before);
    }

    @Test
    void stats_and_reset_endpoints_reflect_java_api() {
        sim.behave(Behavior.defaults().withCompletionTokens(1));
        client.post("/api/v1/completions/1", "{\"prompt\":\"first\"}");
        client.post("/api/v1/completions/1", "{\"prompt\":\"second\",\"stream\":true}");

        JsonNode stats = SimClient.json(client.send(client.request("/_sim/stats", null).GET().build()).body());
        assertThat(stats.get("completions").asLong()).isEqualTo(2);
        assertThat(stats.get("streamsStarted").asLong()).isEqualTo(1);
        assertThat(stats.get("failuresInjected").asLong()).isZero();
        assertThat(stats.get("inFlight").asInt()).isZero();
        assertThat(stats.get("lastBodies").get(1).asText()).isEqualTo("{\"prompt\":\"second\",\"stream\":true}");

        HttpResponse<String> reset = client.send(client.request("/_sim/reset", null)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(reset.statusCode()).isEqualTo(200);
        assertThat(sim.behavior()).isEqualTo(Behavior.defaults());
        assertThat(sim.stats().completions()).isZero();
        assertThat(sim.stats().lastBodies()).isEmpty();
    }

    @Test
    void behavior_rejects_invalid_values_and_withers_change_one_field() {
        Behavior d = Behavior.defaults();
        assertThat(d).isEqualTo(new Behavior(0, 0, 16, Behavior.Failure.NONE, 1, 3, false, false, false, 30_000));
        assertThat(d.withTimeoutMillis(7).timeoutMillis()).isEqualTo(7);
        assertThat(d.withCommentLines(true).withTimeoutMillis(7)).isEqualTo(
                new Behavior(0, 0, 16, Behavior.Failure.NONE, 1, 3, false, false, true, 7));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withTokensPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withFailEveryNth(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SimConfig.defaults()).isEqualTo(new SimConfig("127.0.0.1", 0, "sim", "default-dev-token", java.util.Set.of(1L)));
    }
}
