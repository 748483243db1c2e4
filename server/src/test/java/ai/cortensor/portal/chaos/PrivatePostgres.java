package ai.cortensor.portal.chaos;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A PostgreSQL server of the chaos suite's own, which it may stop and start: the zonky binaries (no system
 * PostgreSQL needed), a fixed data directory kept across stops and a fixed port, so a restarted server is the same
 * server to the gateway. Stopping is PostgreSQL's fast shutdown: open connections are cut.
 */
final class PrivatePostgres implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    private PrivatePostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    static PrivatePostgres start(Path dataDir) {
        PrivatePostgres pg = new PrivatePostgres(dataDir, Ports.free());
        pg.start();
        return pg;
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "300")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the chaos suite's PostgreSQL in " + dataDir, e);
        }
    }

    /** Fast shutdown: the server is gone when this returns. */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the chaos suite's PostgreSQL", e);
        } finally {
            server = null;
        }
    }

    /** A new empty database on this server; its JDBC URL. */
    String createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url("postgres"))) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    @Override
    public void close() {
        stop();
    }
}
