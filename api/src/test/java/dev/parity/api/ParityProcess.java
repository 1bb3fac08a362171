package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One {@code parity run} in a child JVM, as an operator starts it (the shipped logging, its own heap), with a client
 * for its API: what the tests that kill, restart or multiply Parity drive.
 */
record ParityProcess(Process process, int port, Path log, String token) implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Starts {@code parity run -c config}, its output appended to {@code log}; {@code port} is the config's api.port. */
    static ParityProcess launch(Path config, Path log, int port, String token) throws IOException {
        return launch(config, log, port, token, "384m");
    }

    /** {@link #launch} with this heap ({@code -Xmx}). */
    static ParityProcess launch(Path config, Path log, int port, String token, String heap) throws IOException {
        return command(log, port, token, heap, "run", "-c", config.toString());
    }

    /** Any {@code parity} command line in a child JVM ({@code demo --port 18080}, say); {@code port} is its API's. */
    static ParityProcess command(Path log, int port, String token, String heap, String... args) throws IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dlog4j2.configurationFile=log4j2.properties", // the shipped logging, not the tests'
                "-cp", System.getProperty("java.class.path"), "dev.parity.api.cli.ParityCli"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ParityProcess(p, port, log, token);
    }

    /** A port for the API of a process that may be restarted on it (see {@link Ports}). */
    static int freePort() throws IOException {
        return Ports.stable();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    String state() throws Exception {
        return json("/api/v1/status").path("state").asText();
    }

    JsonNode table(String table) throws Exception {
        return json("/api/v1/tables/" + table);
    }

    /** DIVERGENT keys of the table as "KIND id", sorted. */
    List<String> divergent(String table) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode d : json("/api/v1/divergences?table=" + table + "&limit=1000").path("divergences")) {
            if ("DIVERGENT".equals(d.path("state").asText())) {
                out.add(d.path("kind").asText() + " " + d.path("key").path("id").asText());
            }
        }
        return List.copyOf(out);
    }

    /** Every DIVERGENT key of any table, as "table KIND id", sorted. */
    List<String> allDivergent() throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode d : json("/api/v1/divergences?limit=1000").path("divergences")) {
            if ("DIVERGENT".equals(d.path("state").asText())) {
                out.add(d.path("table").asText() + " " + d.path("kind").asText() + " " + d.path("key").path("id").asText());
            }
        }
        return List.copyOf(out);
    }

    /** What a watch reads from the process: its DIVERGENT keys, named some way. */
    interface Read {
        List<String> from(ParityProcess p) throws Exception;
    }

    /**
     * Records into {@code seen} every key this process reports DIVERGENT ({@code read}), asking every 300 ms until it ends:
     * what the fault tests check "nothing else was ever DIVERGENT" against. Returns the count of answers so far (starting,
     * stopping or restarting, it may not answer).
     */
    java.util.concurrent.atomic.AtomicInteger watchDivergent(java.util.Set<String> seen, Read read) {
        java.util.concurrent.atomic.AtomicInteger answers = new java.util.concurrent.atomic.AtomicInteger();
        Thread t = new Thread(() -> {
            while (process.isAlive()) {
                try {
                    List<String> now = read.from(this);
                    if (!seen.containsAll(now)) {
                        // Evidence for whoever reads a failure: the whole answer (stamps, positions, who detected it) the
                        // first time a key shows DIVERGENT, since a transient one may be gone by the end of the test.
                        System.err.println("divergence-watch " + java.time.Instant.now() + ": new DIVERGENT " + now + " in "
                                + get("/api/v1/divergences?limit=1000").body());
                    }
                    seen.addAll(now);
                    answers.incrementAndGet();
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception | AssertionError e) {
                    // starting (no answer yet, or a 503), restarting or killed: asked again
                }
            }
        }, "divergence-watch");
        t.setDaemon(true);
        t.start();
        return answers;
    }

    JsonNode readiness() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/readiness?timeout=30s"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode report = JSON.readTree(r.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(report.path("ready").asBoolean() ? 200 : 503);
        return report;
    }

    /** A gauge of this instance's own from {@code /metrics} (which also carries the lease holder's, with its address). */
    long metric(String name) throws Exception {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + "{instance=\"127.0.0.1:" + port + "\"}")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no metric " + name);
    }

    /** IN_SYNC, with the digests of {@code table} counting exactly the rows each database holds in {@code local}. */
    void awaitCounted(dev.parity.ingest.local.LocalPair pg, String table, String local) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            assertThat(state()).isEqualTo("IN_SYNC");
            JsonNode t = table(table);
            assertThat(t.path("sourceRows").asLong()).isEqualTo(pg.count(dev.parity.reconciler.model.Side.SOURCE, local));
            assertThat(t.path("targetRows").asLong()).isEqualTo(pg.count(dev.parity.reconciler.model.Side.TARGET, local));
        });
    }

    /** SIGKILL: no shutdown hook, no clean close of anything it runs (its embedded broker included). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void printLog() {
        try {
            List<String> lines = Files.readAllLines(log);
            System.err.println("--- " + log + " (last 150 lines) ---");
            lines.subList(Math.max(0, lines.size() - 150), lines.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("no log " + log + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
