package dev.parity.api.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.cli.ParityCli;
import dev.parity.api.kafka.EmbeddedKafka;
import dev.parity.api.kafka.LocalConnect;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code parity bench --instances}: one {@code parity run} process, then two, on this machine, against one
 * broker and one Kafka Connect worker (both in this process) and one PostgreSQL pair (README, "Deployment").
 * Each run has its own instance name, so its own connectors, slots and topics. Measured per run, in the same
 * session so the ratios hold on a shared machine: the first verdict over the connectors' snapshot (processes
 * started to IN_SYNC, asked of the first instance), a burst of replicated changes (committed to READY, the gate
 * asked through an instance not holding the lease where there is one), and with two instances the failover
 * (the lease holder killed with SIGKILL to READY through the survivor).
 */
public final class ScaleBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration LIMIT = Duration.ofMinutes(30);

    private final int rows;
    private final int burst;

    public ScaleBench(int rows, int burst) {
        this.rows = rows;
        this.burst = burst;
    }

    private record Result(int instances, double firstVerdict, double burst, double failover) {
    }

    public void run() throws Exception {
        System.out.printf("%n== several instances (capture.mode connect, one broker and one Kafka Connect worker; PostgreSQL pair, %,d rows) ==%n", rows);
        Path dir = Files.createTempDirectory("parity-scale-bench");
        try (PostgresPair pg = PostgresPair.start(); EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL, qty INT NOT NULL, filler CHAR(84))", HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO items SELECT g, 'item ' || g, 0, '' FROM generate_series(1, " + rows + ") g");
            pg.replicate("bench");
            await("replication of the rows", () -> pg.count(Side.TARGET, "items") == rows);
            List<Result> results = new ArrayList<>();
            try (LocalConnect connect = LocalConnect.start(kafka.bootstrapServers(), "parity-bench-connect")) {
                for (int n : new int[] {1, 2}) {
                    results.add(measure(n, dir, pg, kafka, connect));
                }
            }
            Result one = results.get(0);
            Result two = results.get(1);
            System.out.printf("two instances against one: first verdict %.2f×, burst %.2f× (time ratios: below 1 is faster)%n",
                    two.firstVerdict() / one.firstVerdict(), two.burst() / one.burst());
        }
    }

    private Result measure(int n, Path dir, PostgresPair pg, EmbeddedKafka kafka, LocalConnect connect) throws Exception {
        String name = "scale" + n;
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int port = freePort();
            configs.add(Files.writeString(dir.resolve(name + "-" + i + ".yaml"), String.format("""
                    name: %s
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.items"]}
                    kafka: {bootstrapServers: "%s", partitions: 4}
                    capture: {mode: connect}
                    verify: {enabled: false}
                    api: {port: %d, token: %s, advertise: "127.0.0.1:%d"}
                    state: {dir: "%s"}
                    """, name, pg.sourceUrl(), pg.targetUrl(), kafka.bootstrapServers(), port, TOKEN, port, dir.resolve(name + "-state-" + i))));
        }
        StringWriter out = new StringWriter();
        if (ParityCli.commandLine().setOut(new PrintWriter(out, true)).execute("connect-config", "-c", configs.get(0).toString()) != 0) {
            throw new IllegalStateException("parity connect-config failed");
        }
        List<String> connectors = new ArrayList<>();
        for (JsonNode c : JSON.readTree(out.toString())) {
            connect.post(c);
            connectors.add(c.path("name").asText());
        }
        List<Process> processes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ports.add(Integer.parseInt(Files.readString(configs.get(i)).replaceAll("(?s).*api: \\{port: (\\d+).*", "$1")));
                processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                        "-cp", System.getProperty("java.class.path"), ParityCli.class.getName(), "run", "-c", configs.get(i).toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve(name + "-" + i + ".log").toFile()).start());
            }
            await("IN_SYNC", () -> "IN_SYNC".equals(status(ports.get(0))));
            double first = seconds(t);
            int asked = n == 1 ? 0 : metric(ports.get(0), "parity_instance_lease_held") == 1 ? 1 : 0; // a follower, where there is one
            await("READY before the burst", () -> ready(ports.get(asked)));
            t = System.nanoTime();
            pg.onSource("UPDATE items SET qty = qty + 1 WHERE id <= " + burst);
            await("READY after the burst", () -> ready(ports.get(asked)));
            double burstSeconds = seconds(t);
            double failover = Double.NaN;
            if (n > 1) {
                int holder = 1 - asked;
                t = System.nanoTime();
                processes.get(holder).destroyForcibly().waitFor();
                await("READY through the survivor", () -> ready(ports.get(asked)));
                failover = seconds(t);
            }
            System.out.printf("%d instance(s): first verdict %.1f s; %,d changes in one transaction, commit to READY %.1f s (%,.0f changes/s)%s%n", n,
                    first, burst, burstSeconds, burst / burstSeconds,
                    n > 1 ? String.format("; lease holder killed (SIGKILL) to READY through the survivor %.1f s", failover) : "");
            return new Result(n, first, burstSeconds, failover);
        } finally {
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
            for (String c : connectors) {
                connect.delete(c);
            }
        }
    }

    private static String status(int port) throws Exception {
        HttpResponse<String> r = get(port, "/api/v1/status");
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("state").asText() : null;
    }

    private static boolean ready(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/readiness?timeout=60s"))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200;
    }

    private static long metric(int port, String name) throws Exception {
        for (String line : get(port, "/metrics").body().split("\n")) {
            if (line.startsWith(name + "{instance=\"127.0.0.1:" + port + "\"}")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @FunctionalInterface
    private interface Check {
        boolean done() throws Exception;
    }

    /** Polls every 100 ms (a failed request counts as not yet) until done, or fails after {@link #LIMIT}. */
    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException e) {
                // an instance not listening yet, or just killed
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no " + what + " within " + LIMIT.toMinutes() + " min");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
