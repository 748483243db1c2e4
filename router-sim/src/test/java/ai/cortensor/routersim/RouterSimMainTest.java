package ai.cortensor.routersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RouterSimMainTest {

    @Test
    void main_prints_listening_line_and_serves_configured_behavior() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "ai.cortensor.routersim.RouterSimMain", "--port", "0", "--api-key", "k", "--sessions", "1,2",
                "--ttft-ms", "0", "--tps", "0", "--tokens", "3"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).matches("router-sim listening on http://127\\.0\\.0\\.1:\\d+");
            String base = line.substring("router-sim listening on ".length());
            HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/completions/2"))
                    .header("Authorization", "Bearer k")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(SimClient.json(res.body()).at("/choices/0/text").asText()).isEqualTo("lorem ipsum dolor ");
        } finally {
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void sessions_argument_parses_lists_and_any() {
        assertThat(RouterSimMain.sessions("1, 2,3")).containsExactly(1L, 2L, 3L);
        assertThat(RouterSimMain.sessions("any")).isEmpty();
    }
}
