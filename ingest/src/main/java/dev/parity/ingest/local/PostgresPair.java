package dev.parity.ingest.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two real PostgreSQL servers (binaries from Maven Central) with native logical replication from
 * source to target: the setup Parity watches in production, on one machine. Used by the demo and
 * the integration tests.
 */
public final class PostgresPair implements LocalPair {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresPair.class);

    private final EmbeddedPostgres source;
    private final EmbeddedPostgres target;

    private PostgresPair(EmbeddedPostgres source, EmbeddedPostgres target) {
        this.source = source;
        this.target = target;
    }

    public static PostgresPair start() {
        return start(java.util.Map.of());
    }

    /** Both servers with these settings besides the pair's own (TLS and a {@code hba_file}, say); a later one wins. */
    public static PostgresPair start(java.util.Map<String, String> settings) {
        try {
            return new PostgresPair(server(settings), server(settings));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    private static EmbeddedPostgres server(java.util.Map<String, String> settings) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "16")
                .setServerConfig("max_wal_senders", "16")
                .setServerConfig("max_logical_replication_workers", "8")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "off");
        settings.forEach(b::setServerConfig);
        return b.start();
    }

    @Override
    public String sourceUrl() {
        return source.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public String targetUrl() {
        return target.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public Connection source() throws SQLException {
        return source.getPostgresDatabase().getConnection();
    }

    @Override
    public Connection target() throws SQLException {
        return target.getPostgresDatabase().getConnection();
    }

    /**
     * CPU seconds one side's server has used so far: its postmaster, the children it has reaped, and the
     * children still running (read from /proc; Linux only). NaN where /proc cannot be read.
     */
    public double serverCpuSeconds(dev.parity.reconciler.model.Side side) {
        try {
            return ProcCpu.treeSeconds(serverPid(side));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The process id of one side's postmaster (the parent of every backend); -1 when it cannot be read. */
    public long serverPid(dev.parity.reconciler.model.Side side) {
        EmbeddedPostgres pg = side == dev.parity.reconciler.model.Side.SOURCE ? source : target;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            return Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of(rs.getString(1), "postmaster.pid")).get(0).trim());
        } catch (SQLException | IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Runs statements on the source. */
    public void onSource(String... sql) throws SQLException {
        run(source(), sql);
    }

    /** Runs statements on the target directly, bypassing replication. */
    public void onTarget(String... sql) throws SQLException {
        run(target(), sql);
    }

    private static void run(Connection connection, String... sql) throws SQLException {
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** Runs the same DDL on both servers (logical replication does not carry DDL). */
    public void ddl(String... statements) throws SQLException {
        onSource(statements);
        onTarget(statements);
    }

    /** Publishes every table of the source and subscribes the target, copying existing rows. */
    public void replicate(String name) throws SQLException {
        try (Connection c = source(); Statement st = c.createStatement()) {
            st.execute("CREATE PUBLICATION " + name + " FOR ALL TABLES");
        }
        try (Connection c = target(); Statement st = c.createStatement()) {
            st.execute("CREATE SUBSCRIPTION " + name + " CONNECTION 'host=127.0.0.1 port=" + source.getPort()
                    + " user=postgres dbname=postgres' PUBLICATION " + name + " WITH (synchronous_commit = on)");
        }
        LOG.info("logical replication {} from port {} to port {}", name, source.getPort(), target.getPort());
    }

    public void setSubscriptionEnabled(String name, boolean enabled) throws SQLException {
        try (Connection c = target(); Statement st = c.createStatement()) {
            st.execute("ALTER SUBSCRIPTION " + name + (enabled ? " ENABLE" : " DISABLE"));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            target.close();
        } finally {
            source.close();
        }
    }
}
