package dev.parity.api.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.PostgresPair;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One build's {@code parity run} as a child process watching one table of a local pair (PostgreSQL, MariaDB or MySQL), with default
 * settings, a fresh state dir and its own API port: how the benches that compare builds run each of them.
 */
public final class BuildRun implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A build to measure: a name for the report and the command that starts its {@code parity}. */
    public record Build(String label, List<String> launcher) {
    }

    private final Path state;
    private final int port;
    private final Process process;
    private final List<String> cleanup;

    private BuildRun(Path state, int port, Process process, List<String> cleanup) {
        this.cleanup = cleanup;
        this.state = state;
        this.port = port;
        this.process = process;
    }

    /** This process's own build as a launcher: the same Java and class path. */
    public static Build self() {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new Build("this build", List.of(java, "-cp", System.getProperty("java.class.path"), "dev.parity.api.cli.ParityCli"));
    }

    /**
     * Starts {@code build} as instance {@code name}, its output in a log beside its state dir.
     *
     * @param prefix what the command runs under ({@code taskset -c 1}); empty for nothing
     */
    static BuildRun start(Build build, PostgresPair pg, String name, List<String> prefix) throws IOException {
        return start(build, pg, "postgres", "public.pgbench_accounts", name, prefix);
    }

    /** Starts {@code build} watching {@code table} of {@code pair}, connecting as {@code user} on both sides. */
    static BuildRun start(Build build, LocalPair pair, String user, String table, String name, List<String> prefix) throws IOException {
        List<String> cleanup = new ArrayList<>(build.launcher());
        return start(build, List.of("run"), cleanup, pair, user, table, name, prefix);
    }

    /**
     * Starts the capture floor ({@link CaptureFloor}) of this build for instance {@code name}: both captures as {@code parity run}
     * would configure them, into nothing. Its counts are read with {@link #floorCounts()}.
     */
    static BuildRun startFloor(LocalPair pair, String user, String table, String name, List<String> prefix) throws IOException {
        Build self = self();
        String java = ProcessHandle.current().info().command().orElse("java");
        Build floor = new Build("capture floor", List.of(java, "-cp", System.getProperty("java.class.path"), CaptureFloor.class.getName()));
        return start(floor, List.of(), new ArrayList<>(self.launcher()), pair, user, table, name, prefix);
    }

    private static BuildRun start(Build build, List<String> command0, List<String> cleanup, LocalPair pair, String user, String table, String name,
                                  List<String> prefix) throws IOException {
        Path state = Files.createTempDirectory("parity-" + name);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = Files.createTempFile("parity-" + name, ".yaml");
        Files.writeString(config, String.format("""
                name: %s
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                api: {port: %d}
                state: {dir: "%s"}
                """, name, pair.sourceUrl(), user, pair.targetUrl(), user, table, port, state));
        List<String> command = new ArrayList<>(prefix);
        command.addAll(build.launcher());
        command.addAll(command0);
        command.addAll(List.of("-c", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(state.resolveSibling(state.getFileName() + ".log").toFile()).start();
        cleanup.addAll(List.of("cleanup", "-c", config.toString()));
        return new BuildRun(state, port, process, cleanup);
    }

    Path state() {
        return state;
    }

    long pid() {
        return process.pid();
    }

    /** Its status, or null while it does not answer. */
    JsonNode statusOrNull() throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/status"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return null;
        }
    }

    JsonNode status() throws InterruptedException {
        JsonNode s = statusOrNull();
        if (s == null) {
            throw new IllegalStateException("parity run did not answer on port " + port);
        }
        return s;
    }

    /** Waits until its status is IN_SYNC; throws if it exits or the limit passes. */
    void awaitInSync(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        String last = "not answering";
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("parity run exited with " + process.exitValue());
            }
            JsonNode s = statusOrNull();
            last = s == null ? "not answering" : s.path("state").asText();
            if ("IN_SYNC".equals(last)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not IN_SYNC within " + limit.toSeconds() + " s (last: " + last + ")");
    }

    /**
     * The command that removes what it created in the databases. Run only once every build is measured: each cleanup
     * drops the heartbeat table the builds share.
     */
    List<String> cleanup() {
        return List.copyOf(cleanup);
    }

    /**
     * The capture floor's last printed counts: events captured on the source and the target, and 1 once both stream
     * (0 before); null before its first line. Throws if it exited.
     */
    long[] floorCounts() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("the capture floor exited with " + process.exitValue() + " (see " + log() + ")");
        }
        List<String> lines = Files.readAllLines(log());
        for (int i = lines.size() - 1; i >= 0; i--) {
            String[] f = lines.get(i).split(" ");
            if (f.length == 4 && f[0].equals("captured")) {
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Boolean.parseBoolean(f[3]) ? 1 : 0};
            }
        }
        return null;
    }

    private Path log() {
        return state.resolveSibling(state.getFileName() + ".log");
    }

    /** Runs the cleanups collected, quietly. */
    static void cleanAll(List<List<String>> cleanups) throws IOException, InterruptedException {
        for (List<String> cleanup : cleanups) {
            new ProcessBuilder(cleanup).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
