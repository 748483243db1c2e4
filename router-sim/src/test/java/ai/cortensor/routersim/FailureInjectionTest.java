package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import ai.cortensor.routersim.Behavior.Failure;
import org.junit.jupiter.api.Test;

class FailureInjectionTest extends SimTestBase {

    @Test
    void http_5xx_failures_answer_with_status_and_fastapi_detail() {
        int[] codes = {500, 502, 503};
        Failure[] failures = {Failure.HTTP_500, Failure.HTTP_502, Failure.HTTP_503};
        for (int i = 0; i < codes.length; i++) {
            sim.behave(Behavior.defaults().withFailure(failures[i]));
            for (String body : new String[] {"{\"prompt\":\"a\"}", "{\"prompt\":\"a\",\"stream\":true}"}) {
                HttpResponse<String> res = client.post("/api/v1/completions/1", body);
                assertThat(res.statusCode()).isEqualTo(codes[i]);
                assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
                assertThat(SimClient.json(res.body()).get("detail").isTextual()).isTrue();
            }
        }
        assertThat(sim.stats().failuresInjected()).isEqualTo(6);
        assertThat(sim.stats().streamsStarted()).isZero();
    }

    @Test
    void fail_every_nth_hits_only_every_nth_request_counted_from_behave() {
        sim.behave(Behavior.defaults().withFailure(Failure.HTTP_503).withFailEveryNth(3));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            statuses.add(client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}").statusCode());
        }
        assertThat(statuses).containsExactly(200, 200, 503, 200, 200, 503, 200);
        assertThat(sim.stats().failuresInjected()).isEqualTo(2);

        sim.behave(sim.behavior()); // restarts the count
        assertThat(client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void invalid_requests_do_not_consume_failure_slots() {
        sim.behave(Behavior.defaults().withFailure(Failure.HTTP_500));
        assertThat(client.post("/api/v1/completions/99", "{\"prompt\":\"a\"}").statusCode()).isEqualTo(404);
        assertThat(client.post("/api/v1/completions/1", "{}").statusCode()).isEqualTo(422);
        assertThat(client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}", "wrong").statusCode()).isEqualTo(401);
        assertThat(sim.stats().failuresInjected()).isZero();
    }

    @Test
    void reset_before_first_byte_gives_client_premature_close() throws Exception {
        sim.behave(Behavior.defaults().withFailure(Failure.RESET_BEFORE_FIRST_BYTE));
        try (Socket s = client.rawPost("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}")) {
            SimClient.Wire wire = SimClient.readToClose(s);
            assertThat(wire.text()).isEmpty();
        }
        assertThatThrownBy(() -> client.post("/api/v1/completions/1", "{\"prompt\":\"a\"}"))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(sim.stats().failuresInjected()).isEqualTo(2);
        assertThat(sim.stats().inFlight()).isZero();
    }

    @Test
    void cut_mid_stream_sends_n_frames_then_dies_without_done_or_last_chunk() throws Exception {
        sim.behave(Behavior.defaults().withFailure(Failure.CUT_MID_STREAM).withCutAfterChunks(3));
        try (Socket s = client.rawPost("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}")) {
            SimClient.Wire wire = SimClient.readToClose(s);
            assertThat(wire.text()).startsWith("HTTP/1.1 200 ").contains("Transfer-Encoding: chunked");
            assertThat(wire.dataLines()).hasSize(3).noneMatch(d -> d.equals("[DONE]"));
            assertThat(wire.text()).doesNotContain("\r\n0\r\n\r\n");
            assertThat(wire.text()).endsWith("\n\n\r\n"); // ends right after a complete data chunk
        }
        HttpResponse<InputStream> res = client.postStreaming("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}");
        assertThat(res.statusCode()).isEqualTo(200);
        try (InputStream body = res.body()) {
            assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class);
        }
        assertThat(sim.stats().streamsStarted()).isEqualTo(2);
    }

    @Test
    void cut_mid_stream_after_all_frames_still_withholds_done() throws Exception {
        sim.behave(Behavior.defaults().withFailure(Failure.CUT_MID_STREAM).withCutAfterChunks(50).withCompletionTokens(2));
        try (Socket s = client.rawPost("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}")) {
            SimClient.Wire wire = SimClient.readToClose(s);
            assertThat(wire.dataLines()).hasSize(3).doesNotContain("[DONE]");
            assertThat(wire.text()).doesNotContain("\r\n0\r\n\r\n");
        }
    }

    @Test
    void cut_mid_stream_on_non_stream_request_resets_before_first_byte() throws Exception {
        sim.behave(Behavior.defaults().withFailure(Failure.CUT_MID_STREAM));
        try (Socket s = client.rawPost("/api/v1/completions/1", "{\"prompt\":\"a\"}")) {
            assertThat(SimClient.readToClose(s).text()).isEmpty();
        }
    }

    @Test
    void timeout_sends_nothing_for_timeout_millis_then_closes() throws Exception {
        sim.behave(Behavior.defaults().withFailure(Failure.TIMEOUT).withTimeoutMillis(600));
        long t0 = System.nanoTime();
        try (Socket s = client.rawPost("/api/v1/completions/1", "{\"prompt\":\"a\",\"stream\":true}")) {
            assertThat(sim.stats().failuresInjected()).isLessThanOrEqualTo(1);
            SimClient.Wire wire = SimClient.readToClose(s);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(wire.text()).isEmpty();
            assertThat(ms).isBetween(550L, 3_000L);
        }
        assertThat(sim.stats().failuresInjected()).isEqualTo(1);
    }

    @Test
    void close_abandons_requests_sleeping_on_simulated_latency() throws Exception {
        RouterSim own = RouterSim.start(SimConfig.defaults());
        own.behave(Behavior.defaults().withFailure(Failure.TIMEOUT).withTimeoutMillis(30_000));
        try (Socket s = new SimClient(own).rawPost("/api/v1/completions/1", "{\"prompt\":\"a\"}")) {
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (own.stats().inFlight() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(own.stats().inFlight()).isEqualTo(1);
            long t0 = System.nanoTime();
            own.close();
            assertThat(SimClient.readToClose(s).text()).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000L);
        }
    }
}
