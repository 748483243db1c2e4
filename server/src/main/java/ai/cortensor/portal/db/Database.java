package ai.cortensor.portal.db;

import ai.cortensor.portal.config.PortalConfig;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The one PostgreSQL the product uses: the configured server ({@code database.url}) or, without one, the embedded
 * server under the data directory. Migrations run on open.
 */
public final class Database implements AutoCloseable {
    private final EmbeddedDatabase embedded;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(EmbeddedDatabase embedded, HikariDataSource dataSource) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * A connection outside the pool, for a holder that keeps it for the process lifetime (the change feed's
     * {@code LISTEN}); closing it closes the socket.
     */
    public Connection openDedicated() throws SQLException {
        Properties props = new Properties();
        if (dataSource.getUsername() != null) {
            props.setProperty("user", dataSource.getUsername());
        }
        if (dataSource.getPassword() != null) {
            props.setProperty("password", dataSource.getPassword());
        }
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "portal-change-feed"); // findable in pg_stat_activity
        return DriverManager.getConnection(dataSource.getJdbcUrl(), props);
    }

    public static Database open(PortalConfig config) {
        PortalConfig.Database db = config.database();
        EmbeddedDatabase embedded = null;
        String url = db.url();
        String user = db.user();
        if (db.embedded()) {
            embedded = EmbeddedDatabase.start(config.embeddedPgDir(), db.embeddedPort());
            url = embedded.jdbcUrl();
            user = "postgres";
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (db.password() != null) {
            hc.setPassword(db.password());
        }
        hc.setMaximumPoolSize(db.poolSize());
        // JDBC batches (PoolLoad's) become multi-row INSERTs; the usage writer sends one statement of arrays instead
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        hc.setPoolName("portal-db");
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(30_000);
        try {
            HikariDataSource ds = new HikariDataSource(hc);
            migrate(ds);
            return new Database(embedded, ds);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    public static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
