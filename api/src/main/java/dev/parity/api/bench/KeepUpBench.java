package dev.parity.api.bench;

import dev.parity.api.app.Parity;
import dev.parity.api.bench.ProcessCpu;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Can Parity keep up with a busy source (BENCHMARKS.md, "Keeping up")? On a PostgreSQL pair with logical
 * replication: first the pair's write ceiling with Parity not running (single-row updates of
 * {@code pgbench_accounts}, pgbench with 4 clients, replication on), then, with Parity watching, the
 * same workload rate-limited to fractions of that ceiling. Per fraction: the replication lag Parity
 * reports (p50/p99/max), whether its backlog grows, how long after the load stops it is IN_SYNC, its
 * process CPU per captured change beside the source server's own CPU per change, and the busiest
 * threads (a thread near a whole core caps throughput before the CPU does).
 */
public final class KeepUpBench {
    private static final int CLIENTS = 4;
    private static final Duration CEILING_RUN = Duration.ofSeconds(20);

    private final int rows;
    private final int seconds;
    private final List<Double> fractions;
    private final Map<String, String> kafkaProperties;

    /** @param kafkaProperties passed to the instance's Kafka clients and Streams ({@code kafka.properties}): a tuning to measure */
    public KeepUpBench(int rows, int seconds, List<Double> fractions, Map<String, String> kafkaProperties) {
        this.rows = rows;
        this.seconds = seconds;
        this.fractions = List.copyOf(fractions);
        this.kafkaProperties = Map.copyOf(kafkaProperties);
    }

    public void run(Path pgbench) throws Exception {
        System.out.printf("%n== keeping up, PostgreSQL pair (pgbench_accounts %,d rows, single-row updates, %d clients) ==%n", rows, CLIENTS);
        try (PostgresPair pg = PostgresPair.start()) {
            dev.parity.api.bench.PgbenchAccounts.create(pg, rows, "keepup");
            List<String> base = dev.parity.api.bench.PgbenchAccounts.updates(pg, pgbench, rows, CLIENTS);
            double sourceCpu0 = pg.serverCpuSeconds(Side.SOURCE);
            double ceiling = dev.parity.api.bench.PgbenchAccounts.tps(runTool(with(base, "-T", Long.toString(CEILING_RUN.toSeconds()))));
            double sourceCpuPerChange = (pg.serverCpuSeconds(Side.SOURCE) - sourceCpu0) * 1e6 / (ceiling * CEILING_RUN.toSeconds());
            System.out.printf("write ceiling without Parity (replication on): %,.0f tps; the source server's own CPU: %.1f µs per change%n",
                    ceiling, sourceCpuPerChange);
            Path state = Files.createTempDirectory("parity-keepup");
            String yaml = String.format("""
                    name: keepup
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.pgbench_accounts"]}
                    verify: {enabled: false}
                    kafka: {properties: %s}
                    api: {port: 0}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), dev.parity.api.status.Json.MAPPER.writeValueAsString(kafkaProperties), state);
            if (!kafkaProperties.isEmpty()) {
                System.out.println("kafka.properties for this run: " + kafkaProperties);
            }
            long t0 = System.nanoTime();
            try (Parity p = Parity.start(ConfigLoader.parse(yaml, "keepup", Map.of()))) {
                awaitInSync(p, Duration.ofMinutes(5));
                System.out.printf("Parity start to IN_SYNC: %.1f s (verification sweep off for these runs)%n", (System.nanoTime() - t0) / 1e9);
                warmUp(base, ceiling);
                awaitInSync(p, Duration.ofMinutes(5));
                for (double f : fractions) {
                    fraction(p, pg, base, ceiling, f);
                }
            }
        }
    }

    private void fraction(Parity p, PostgresPair pg, List<String> base, double ceiling, double fraction) throws Exception {
        long rate = Math.max(1, Math.round(ceiling * fraction));
        long events0 = events(p);
        double sourceCpu0 = pg.serverCpuSeconds(Side.SOURCE);
        ProcessCpu cpu = new ProcessCpu();
        Process tool = start(with(base, "-T", Integer.toString(seconds), "-R", Long.toString(rate)));
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(tool));
        SteadySampler sampler = new SteadySampler();
        while (tool.isAlive()) {
            sampler.sample(p);
            Thread.sleep(1_000);
        }
        String out = output.get();
        double achieved = dev.parity.api.bench.PgbenchAccounts.tps(out);
        double toInSync = awaitInSync(p, Duration.ofMinutes(5));
        ProcessCpu.Interval used = cpu.stop();
        long captured = events(p) - events0;
        double changes = achieved * seconds;
        double sourceCpu = (pg.serverCpuSeconds(Side.SOURCE) - sourceCpu0) * 1e6 / Math.max(1, changes);
        System.out.printf("%n%.0f %% of the ceiling (%,d tps asked, %,.0f achieved, %d s):%n%s%n", 100 * fraction, rate, achieved, seconds,
                sampler.summary());
        System.out.printf("  IN_SYNC %.1f s after the load stopped%n", toInSync);
        System.out.printf("  Parity's process CPU: %.1f µs per captured change (%,d captured on both sides, %.1f CPU s in %.1f s); the source"
                        + " server's own: %.1f µs per change%n", used.microsPer(captured), captured, used.processCpuSeconds(), used.wallSeconds(),
                sourceCpu);
        System.out.printf("  busiest threads of Parity's process:%n%s%n    (threads the JVM does not list: %.1f %% of a core; GC active %.1f s,"
                + " JIT compiling %.1f s)%n", used.top(8), 100 * used.unlistedCpuSeconds() / used.wallSeconds(), used.gcSeconds(), used.jitSeconds());
    }

    /**
     * A minute at a quarter of the ceiling, not measured: a monitor runs for hours, so what matters is
     * its cost once the JIT has compiled the hot paths (measured: in the first minute of Parity's life
     * the JIT compilers take about a core of this two-core machine, ~15,000 methods).
     */
    private void warmUp(List<String> base, double ceiling) throws Exception {
        ProcessCpu cpu = new ProcessCpu();
        runTool(with(base, "-T", "60", "-R", Long.toString(Math.max(1, Math.round(ceiling / 4)))));
        System.out.printf("warm-up: 60 s at 25 %% of the ceiling, not measured (JIT compiling %.1f s of it)%n", cpu.stop().jitSeconds());
    }

    private static long events(Parity p) {
        return p.runtime().capture(Side.SOURCE).events() + p.runtime().capture(Side.TARGET).events();
    }

    /** Seconds until the status is IN_SYNC. */
    private static double awaitInSync(Parity p, Duration limit) throws InterruptedException {
        long t = System.nanoTime();
        p.awaitState(limit, java.util.Set.of("IN_SYNC"));
        return (System.nanoTime() - t) / 1e9;
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        out.add("postgres");
        return out;
    }

    private static Process start(List<String> command) throws java.io.IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String runTool(List<String> command) throws Exception {
        Process p = start(command);
        String out = read(p);
        p.waitFor();
        return out;
    }

    private static String read(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
