package ai.cortensor.portal.db;

import ai.cortensor.portal.config.ConfigLoader;
import java.util.Map;

/** Run in a child JVM by {@link EmbeddedDatabaseIT}: opens the embedded database, writes a row, waits to be killed. */
public final class EmbeddedChild {
    public static void main(String[] args) throws Exception {
        Database db = Database.open(ConfigLoader.fromMap(Map.of("data.dir", args[0])));
        db.jdbi().useHandle(h -> h.execute("INSERT INTO users (email) VALUES ('survivor@example.com') ON CONFLICT DO NOTHING"));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
