package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthAndNodeRoutesTest {

    static RouterSim sim;
    static SimClient client;

    @BeforeAll
    static void start() {
        sim = RouterSim.start(SimConfig.defaults().withApiKey("k-123").withName("node-b").withSessionIds(Set.of(4L, 5L)));
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void wrong_key_is_rejected_with_fastapi_detail() {
        for (String key : new String[] {"wrong", null}) {
            HttpResponse<String> ping = client.send(client.request("/api/v1/ping", key).GET().build());
            assertThat(ping.statusCode()).isEqualTo(401);
            assertThat(ping.body()).isEqualTo("{\"detail\":\"Invalid API key\"}");
            HttpResponse<String> completion = client.post("/api/v1/completions/4", "{\"prompt\":\"a\"}", key);
            assertThat(completion.statusCode()).isEqualTo(401);
            assertThat(completion.body()).isEqualTo("{\"detail\":\"Invalid API key\"}");
        }
        assertThat(sim.stats().completions()).isZero();
        assertThat(client.post("/api/v1/completions/4", "{\"prompt\":\"a\"}", "k-123").statusCode()).isEqualTo(200);
    }

    @Test
    void ping_info_and_status_have_router_shape() {
        HttpResponse<String> ping = client.send(client.request("/api/v1/ping", "k-123").GET().build());
        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(SimClient.json(ping.body()).get("status").asText()).isEqualTo("ok");

        JsonNode info = SimClient.json(client.send(client.request("/api/v1/info", "k-123").GET().build()).body());
        assertThat(info.get("name").asText()).isEqualTo("node-b");
        assertThat(info.get("version").isTextual()).isTrue();
        assertThat(info.get("address").asText()).matches("0x[0-9a-f]{40}");
        assertThat(info.get("ip_address").asText()).isEqualTo("127.0.0.1");
        assertThat(info.get("active_sessions").asInt()).isEqualTo(2);
        assertThat(info.get("total_sessions").asInt()).isEqualTo(2);
        assertThat(info.at("/node_stats/total_count").asInt())
                .isEqualTo(info.at("/node_stats/dedicated_count").asInt() + info.at("/node_stats/ephemeral_count").asInt());

        JsonNode status = SimClient.json(client.send(client.request("/api/v1/status", "k-123").GET().build()).body());
        assertThat(status.fieldNames()).toIterable()
                .containsExactly("active_sessions", "connected_miners", "cpu_usage", "memory_usage", "uptime");
        assertThat(status.get("uptime").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void ping_reports_unhealthy_while_every_completion_fails_but_not_for_occasional_failures() {
        try {
            sim.behave(Behavior.defaults().withFailure(Behavior.Failure.HTTP_500));
            HttpResponse<String> down = client.send(client.request("/api/v1/ping", "k-123").GET().build());
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"detail\":\"node unhealthy\"}");

            sim.behave(Behavior.defaults().withFailure(Behavior.Failure.HTTP_500).withFailEveryNth(10));
            assertThat(client.send(client.request("/api/v1/ping", "k-123").GET().build()).statusCode()).isEqualTo(200);
            sim.behave(Behavior.defaults().withFailure(Behavior.Failure.CUT_MID_STREAM));
            assertThat(client.send(client.request("/api/v1/ping", "k-123").GET().build()).statusCode()).isEqualTo(200);
        } finally {
            sim.behave(Behavior.defaults());
        }
    }

    @Test
    void unknown_paths_and_methods_get_fastapi_errors() {
        HttpResponse<String> missing = client.send(client.request("/api/v1/nope", "k-123").GET().build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"detail\":\"Not Found\"}");
        HttpResponse<String> wrongMethod = client.send(client.request("/api/v1/completions/4", "k-123").GET().build());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.body()).isEqualTo("{\"detail\":\"Method Not Allowed\"}");
    }

    @Test
    void null_api_key_and_empty_sessions_accept_anything() {
        try (RouterSim open = RouterSim.start(SimConfig.defaults().withApiKey(null).withSessionIds(Set.of()))) {
            SimClient c = new SimClient(open);
            assertThat(c.post("/api/v1/completions/123456", "{\"prompt\":\"a\"}", null).statusCode()).isEqualTo(200);
            assertThat(c.post("/api/v3/completions/9", "{\"prompt\":\"a\"}", "whatever").statusCode()).isEqualTo(200);
            assertThat(open.baseUrl()).isEqualTo("http://127.0.0.1:" + open.port());
            assertThat(open.port()).isNotEqualTo(sim.port()).isPositive();
        }
    }

    @Test
    void start_fails_loudly_when_port_is_taken() {
        assertThatThrownBy(() -> RouterSim.start(SimConfig.defaults().withPort(sim.port())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(String.valueOf(sim.port()));
        assertThat(client.send(client.request("/api/v1/ping", "k-123").GET().build()).statusCode()).isEqualTo(200);
    }
}
