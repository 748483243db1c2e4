package ai.cortensor.portal.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseIT {

    @Test
    void restarts_cleanly_after_the_previous_process_was_killed_with_kill_9(@TempDir Path dataDir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedChild.class.getName(), dataDir.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                // start-up log lines
            }
            assertThat(line).as("child started the embedded database").isEqualTo("READY");

            assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir.resolve("pg"), 0))
                    .hasStackTraceContaining("in use by another running portal process");

            child.destroyForcibly(); // SIGKILL: no shutdown hook runs, postgres is orphaned
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        try (Database db = Database.open(ConfigLoader.fromMap(Map.of("data.dir", dataDir.toString())))) {
            db.jdbi().useHandle(h -> {
                assertThat(h.createQuery("SELECT count(*) FROM users WHERE email = 'survivor@example.com'")
                        .mapTo(Long.class).one()).as("committed data survived").isEqualTo(1);
                assertThat(h.createQuery("SHOW fsync").mapTo(String.class).one()).isEqualTo("on");
                assertThat(h.createQuery("SHOW synchronous_commit").mapTo(String.class).one()).isEqualTo("on");
                assertThat(h.createQuery("SHOW full_page_writes").mapTo(String.class).one()).isEqualTo("on");
            });
        }
    }
}
