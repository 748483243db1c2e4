package ai.cortensor.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database per caller, on a real server: the one named by {@code TEST_DATABASE_URL}
 * (e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}) when set, otherwise one embedded server
 * shared by the whole test JVM. Each database is dropped on {@link #close()}.
 */
public final class TestDatabase implements AutoCloseable {
    private static EmbeddedPostgres shared;

    private final String adminUrl;
    private final String name;
    private final String url;

    private TestDatabase(String adminUrl, String name, String url) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.url = url;
    }

    public static TestDatabase create() {
        String admin = System.getenv("TEST_DATABASE_URL");
        if (admin == null || admin.isBlank()) {
            admin = embedded().getJdbcUrl("postgres", "postgres");
        }
        String name = "portal_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        execute(admin, "CREATE DATABASE " + name);
        return new TestDatabase(admin, name, withDatabase(admin, name));
    }

    /** JDBC URL of this test's database (user and password, if any, in its query). */
    public String url() {
        return url;
    }

    private static synchronized EmbeddedPostgres embedded() {
        if (shared == null) {
            try {
                shared = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL for tests", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    shared.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return shared;
    }

    /** Replaces the database name in a JDBC URL: {@code jdbc:postgresql://host:port/<db>?query}. */
    static String withDatabase(String jdbcUrl, String db) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int q = jdbcUrl.indexOf('?');
        String head = slash < 0 ? (q < 0 ? jdbcUrl : jdbcUrl.substring(0, q)) : jdbcUrl.substring(0, slash);
        return head + "/" + db + (q < 0 ? "" : jdbcUrl.substring(q));
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database: " + sql + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        execute(adminUrl, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}
