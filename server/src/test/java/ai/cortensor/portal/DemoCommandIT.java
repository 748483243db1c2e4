package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, for real: the packaged launcher jar runs {@code demo}; the lines it prints are pasted
 * into a shell and the curl line must work; a restart on the same data directory keeps the same demo key.
 */
class DemoCommandIT {

    private static final Pattern MANAGEMENT_METRICS = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/metrics)");

    record Run(Process process, List<String> pasteLines, String metricsUrl) {}

    private static Run startDemo(Path dataDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target", "portal.jar");
        assertThat(jar).as("failsafe runs after package").exists();
        Process p = new ProcessBuilder(java, "-jar", jar.toString(), "demo", "--port", "0", "--management-port", "0",
                "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> paste = new ArrayList<>();
        String metricsUrl = null;
        String line;
        while ((line = out.readLine()) != null) {
            String t = line.strip();
            Matcher m = MANAGEMENT_METRICS.matcher(t);
            if (t.startsWith("Management") && m.find()) {
                metricsUrl = m.group(1);
            }
            if (t.startsWith("export OPENAI_") || t.startsWith("curl ")) {
                paste.add(t);
            }
            if (metricsUrl != null) { // the management line comes after the lines to paste
                break;
            }
        }
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep draining the child's output
        assertThat(paste).as("demo printed the lines to paste").hasSize(3);
        return new Run(p, paste, metricsUrl);
    }

    private static String runInShell(List<String> lines) throws Exception {
        Process sh = new ProcessBuilder("bash", "-c", String.join("\n", lines)).redirectErrorStream(true).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: the shutdown hook flushes usage and stops PostgreSQL
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("demo stops on SIGTERM").isTrue();
    }

    @Test
    void demo_prints_working_paste_lines_and_keeps_its_key_across_restarts(@TempDir Path dataDir) throws Exception {
        Run first = startDemo(dataDir);
        try {
            assertThat(first.pasteLines().get(0)).matches("export OPENAI_BASE_URL=http://127\\.0\\.0\\.1:\\d+/v1");
            assertThat(first.pasteLines().get(1)).matches("export OPENAI_API_KEY=ctsr_\\w{12}_\\w{40}");
            String reply = runInShell(first.pasteLines());
            assertThat(reply).contains("\"object\":\"chat.completion\"").contains("\"content\":");
            String base = first.pasteLines().get(0).substring("export OPENAI_BASE_URL=".length()).replace("/v1", "");
            String operator = Files.readString(dataDir.resolve("demo-operator-token")).strip();
            var pools = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(base + "/admin/api/pools")).header("Authorization", "Bearer " + operator).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(pools.statusCode()).as("the demo's operator token opens the operator API").isEqualTo(200);
            assertThat(pools.body()).contains("\"name\":\"default\"");
            assertThat(first.metricsUrl()).as("demo printed the management URL").isNotNull()
                    .doesNotStartWith(base + "/");
            var metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(first.metricsUrl())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).as("the printed management URL serves /metrics").isEqualTo(200);
            assertThat(metrics.body()).contains("portal_requests_total");
        } finally {
            stop(first.process());
        }
        assertThat(Files.readString(dataDir.resolve("demo-api-key")).strip())
                .isEqualTo(first.pasteLines().get(1).substring("export OPENAI_API_KEY=".length()));

        Run second = startDemo(dataDir);
        try {
            assertThat(second.pasteLines().get(1)).isEqualTo(first.pasteLines().get(1));
            assertThat(Files.readString(dataDir.resolve("demo-operator-token")).strip()).as("kept across restarts")
                    .startsWith("ctop_");
            assertThat(runInShell(second.pasteLines())).contains("\"object\":\"chat.completion\"");
        } finally {
            stop(second.process());
        }
    }
}
