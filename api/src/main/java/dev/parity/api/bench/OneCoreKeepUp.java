package dev.parity.api.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.ProcCpu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Does Parity keep up with a database pair that has as much CPU as it has (BENCHMARKS.md, "Keeping up on one core")?
 * The pair, its replication, its load ({@link KeepUpLoad}: pgbench on PostgreSQL, sysbench {@code oltp_update_index} on
 * MariaDB and MySQL) and this harness run on {@code pairCpus}; each build under test runs as
 * its own {@code parity run} process with default settings (the verification sweep on, as users run it) on
 * {@code parityCpus} alone ({@code taskset}). First the pair's write ceiling without Parity; then, per build, its first
 * verdict, {@code warmUp} seconds at half the ceiling (not measured), and each fraction of the ceiling for {@code seconds}
 * (1 or more: pgbench unthrottled, the pair's full speed with Parity's slots attached). Per phase: the rate reached,
 * replication lag as Parity reports it (sampled once a second), its reconciler backlog, seconds to IN_SYNC after the
 * load, Parity's process CPU per captured change, and the time its sweep yielded. Builds are given as launchers and
 * measured in turn, {@code repeat} times (A, B, A, B…): on a shared machine only figures taken side by side compare.
 * Each round begins with the capture floor ({@link CaptureFloor}): both captures alone, their records discarded, under
 * the same load on the same CPU, the cost Parity's own per change is set against (the target 1).
 */
public final class OneCoreKeepUp {
    private static final Duration CEILING_RUN = Duration.ofSeconds(20);

    private final int seconds;
    private final List<Double> fractions;
    private final String pairCpus;
    private final String parityCpus;
    private final int repeat;
    /** Seconds at half the ceiling before the measured phases: the JIT's first minutes, not measured. */
    private final int warmUp;

    public OneCoreKeepUp(int seconds, List<Double> fractions, String pairCpus, String parityCpus, int repeat, int warmUp) {
        this.warmUp = warmUp;
        this.seconds = seconds;
        this.fractions = List.copyOf(fractions);
        this.pairCpus = pairCpus;
        this.parityCpus = parityCpus;
        this.repeat = repeat;
    }

    /** One phase's figures. */
    record Phase(String build, double fraction, double asked, double achieved, double lagP50, double lagP99, double lagMax, double toInSync,
                 double microsPerChange, long captured, double yielded) {
    }

    /**
     * Runs each engine's pair in turn; returns 0, or 1 when a tool one of them needs is not on the PATH (said on the
     * output, nothing run for it or after it).
     *
     * @param rows   the table's rows per engine
     * @param onPath finds a tool on the PATH; null when it is not there
     */
    public int run(List<Engine> engines, ToIntFunction<Engine> rows, Function<String, Path> onPath,
                   List<BuildRun.Build> builds) throws Exception {
        for (Engine e : engines) {
            String tool = e == Engine.POSTGRESQL ? "pgbench" : "sysbench";
            if (onPath.apply(tool) == null || onPath.apply("taskset") == null) {
                System.out.println("one core, " + e.name().toLowerCase(Locale.ROOT) + ": skipped (needs " + tool
                        + " and taskset on the PATH; Debian: " + (e == Engine.POSTGRESQL ? "postgresql-contrib" : "sysbench") + ", util-linux)");
                return 1;
            }
            run(e, onPath.apply(tool), rows.applyAsInt(e), builds);
        }
        return 0;
    }

    /** One engine's pair: PostgreSQL with pgbench, MariaDB or MySQL with sysbench ({@code tool}), its table of {@code rows}. */
    private void run(Engine engine, Path tool, int rows, List<BuildRun.Build> builds) throws Exception {
        pin(ProcessHandle.current().pid());
        List<Phase> phases = new ArrayList<>();
        List<List<String>> cleanups = new ArrayList<>();
        try (KeepUpLoad load = engine == Engine.POSTGRESQL ? new PgbenchLoad(tool, rows) : new SysbenchLoad(engine, tool, rows)) {
            System.out.printf("%n== keeping up on one core, %s; pair, load and harness on CPU %s, Parity on CPU %s ==%n", load.describe(), pairCpus,
                    parityCpus);
            for (long pid : load.serverPids()) {
                pin(pid);
            }
            load.prepare();
            double ceiling = load.tps(run(load, (int) CEILING_RUN.toSeconds(), 0));
            System.out.printf("write ceiling without Parity on CPU %s (replication on): %,.0f tps%n", pairCpus, ceiling);
            try {
                int n = 0;
                for (int r = 0; r < repeat; r++) {
                    phases.addAll(measureFloor(load, "onecore" + (n++), ceiling, cleanups));
                    for (BuildRun.Build b : builds) {
                        phases.addAll(measure(load, b, "onecore" + (n++), ceiling, cleanups));
                    }
                }
            } finally {
                BuildRun.cleanAll(cleanups);
            }
        }
        System.out.printf("%n%-16s %8s %9s %9s %22s %12s %12s %10s%n", "build", "fraction", "asked", "reached", "lag p50 / p99 / max s",
                "IN_SYNC after", "µs/change", "yielded s");
        for (Phase p : phases) {
            System.out.printf("%-16s %8s %9.0f %9.0f %22s %11.1fs %12.1f %10.0f%n", p.build(), p.fraction() >= 1 ? "full" : (int) (100 * p.fraction()) + " %",
                    p.asked(), p.achieved(), String.format("%.2f / %.2f / %.2f", p.lagP50(), p.lagP99(), p.lagMax()), p.toInSync(),
                    p.microsPerChange(), p.yielded());
        }
    }

    private List<Phase> measure(KeepUpLoad load, BuildRun.Build build, String name, double ceiling, List<List<String>> cleanups) throws Exception {
        System.out.printf("%n-- %s --%n", build.label());
        List<Phase> out = new ArrayList<>();
        try (BuildRun parity = BuildRun.start(build, load.pair(), load.user(), load.table(), name, List.of("taskset", "-c", parityCpus))) {
            cleanups.add(parity.cleanup());
            long t0 = System.nanoTime();
            parity.awaitInSync(Duration.ofMinutes(10));
            System.out.printf("first verdict after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            run(load, warmUp, Math.round(ceiling / 2));
            parity.awaitInSync(Duration.ofMinutes(10));
            for (double f : fractions) {
                Phase p = phase(build.label(), parity, load, ceiling, f);
                System.out.printf("%s %s: %,.0f tps reached; lag p50 %.2f s, p99 %.2f s, max %.2f s; IN_SYNC %.1f s after the load;"
                                + " %.1f µs of Parity CPU per captured change (%,d captured); sweep yielded %.0f s%n", build.label(),
                        f >= 1 ? "full speed" : (int) (100 * f) + " %", p.achieved(), p.lagP50(), p.lagP99(), p.lagMax(), p.toInSync(),
                        p.microsPerChange(), p.captured(), p.yielded());
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The capture floor under the same load on the same CPU: both captures as {@code parity run} configures them, their
     * records discarded ({@link CaptureFloor}). Per phase its CPU per captured change; "IN_SYNC after" is the time until
     * its counts stopped moving after the load (it has caught up with both databases).
     */
    private List<Phase> measureFloor(KeepUpLoad load, String name, double ceiling, List<List<String>> cleanups) throws Exception {
        System.out.printf("%n-- capture floor --%n");
        List<Phase> out = new ArrayList<>();
        try (BuildRun floor = BuildRun.startFloor(load.pair(), load.user(), load.table(), name, List.of("taskset", "-c", parityCpus))) {
            cleanups.add(floor.cleanup());
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            for (long[] c = floor.floorCounts(); c == null || c[2] == 0; c = floor.floorCounts()) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("the capture floor did not stream within 5 minutes");
                }
                Thread.sleep(200);
            }
            run(load, warmUp, Math.round(ceiling / 2));
            settled(floor);
            for (double f : fractions) {
                long rate = Math.round(ceiling * f);
                long[] c0 = floor.floorCounts();
                double cpu0 = ProcCpu.treeSeconds(floor.pid());
                Map<String, Double> threads0 = ProcCpu.threadSeconds(floor.pid());
                long wall0 = System.nanoTime();
                double achieved = load.tps(run(load, seconds, f >= 1 ? 0 : rate));
                long t = System.nanoTime();
                long[] c1 = settled(floor);
                double toSettled = (System.nanoTime() - t) / 1e9 - SETTLED.toMillis() / 1e3;
                double cpu = ProcCpu.treeSeconds(floor.pid()) - cpu0;
                printThreads(threads0, ProcCpu.threadSeconds(floor.pid()), (System.nanoTime() - wall0) / 1e9, cpu);
                long captured = c1[0] + c1[1] - c0[0] - c0[1];
                Phase p = new Phase("capture floor", f, f >= 1 ? Double.NaN : rate, achieved, Double.NaN, Double.NaN, Double.NaN,
                        Math.max(0, toSettled), cpu * 1e6 / Math.max(1, captured), captured, 0);
                System.out.printf("capture floor %s: %,.0f tps reached; caught up %.1f s after the load; %.1f µs of CPU per captured change (%,d captured)%n",
                        f >= 1 ? "full speed" : (int) (100 * f) + " %", achieved, p.toInSync(), p.microsPerChange(), captured);
                out.add(p);
            }
        }
        return out;
    }

    /** How long the floor's counts must stand still to count as caught up (its heartbeats move them once a second: 2 events). */
    private static final Duration SETTLED = Duration.ofSeconds(2);

    /** Waits until the floor's counts grew by no more than its heartbeats' events for {@link #SETTLED}; returns them. */
    private static long[] settled(BuildRun floor) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long[] last = floor.floorCounts();
        long since = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(500);
            long[] c = floor.floorCounts();
            if (c[0] + c[1] - last[0] - last[1] > 8) {
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= SETTLED.toNanos()) {
                return c;
            }
            last = c;
        }
        throw new IllegalStateException("the capture floor did not catch up within 10 minutes");
    }

    private Phase phase(String build, BuildRun parity, KeepUpLoad load, double ceiling, double fraction) throws Exception {
        long rate = Math.round(ceiling * fraction);
        JsonNode s0 = parity.status();
        double cpu0 = ProcCpu.treeSeconds(parity.pid());
        Map<String, Double> threads0 = ProcCpu.threadSeconds(parity.pid());
        long wall0 = System.nanoTime();
        Process tool = new ProcessBuilder(pinned(load.command(seconds, fraction >= 1 ? 0 : rate))).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> BenchProcess.read(tool));
        List<Double> lags = new ArrayList<>();
        while (tool.isAlive()) {
            JsonNode s = parity.statusOrNull();
            if (s != null && s.path("replicationLagSeconds").isNumber()) {
                lags.add(s.path("replicationLagSeconds").asDouble());
            }
            Thread.sleep(1_000);
        }
        double achieved = load.tps(output.get());
        long t = System.nanoTime();
        parity.awaitInSync(Duration.ofMinutes(10));
        double toInSync = (System.nanoTime() - t) / 1e9;
        JsonNode s1 = parity.status();
        double cpu = ProcCpu.treeSeconds(parity.pid()) - cpu0;
        Map<String, Double> threads1 = ProcCpu.threadSeconds(parity.pid());
        printThreads(threads0, threads1, (System.nanoTime() - wall0) / 1e9, cpu);
        long rounds = s1.path("verification").path("roundsCompleted").asLong() - s0.path("verification").path("roundsCompleted").asLong();
        long perRound = 0;
        for (JsonNode read : s1.path("verification").path("tables")) {
            perRound += read.path("rowsRead").asLong();
        }
        double sweepCpu = threads1.getOrDefault("parity-sweep", 0.0) - threads0.getOrDefault("parity-sweep", 0.0);
        if (rounds > 0 && perRound > 0) {
            System.out.printf("  the sweep: %.1f µs of CPU per row read (%d rounds of ~%,d rows on both sides)%n", sweepCpu * 1e6 / (rounds * perRound),
                    rounds, perRound);
        }
        long captured = captured(s1) - captured(s0);
        Collections.sort(lags);
        return new Phase(build, fraction, fraction >= 1 ? Double.NaN : rate, achieved, pct(lags, 0.5), pct(lags, 0.99),
                lags.isEmpty() ? Double.NaN : lags.get(lags.size() - 1), toInSync, cpu * 1e6 / Math.max(1, captured), captured,
                s1.path("verification").path("yieldedSeconds").asDouble(0) - s0.path("verification").path("yieldedSeconds").asDouble(0));
    }

    /** The thread groups that used most of Parity's CPU over the phase, as shares of it. */
    private static void printThreads(Map<String, Double> before, Map<String, Double> after, double wall, double cpu) {
        Map<String, Double> used = new HashMap<>();
        after.forEach((k, v) -> used.put(k, v - before.getOrDefault(k, 0.0)));
        StringBuilder b = new StringBuilder(String.format("  CPU by thread (%.0f %% of its core over %.0f s):", 100 * cpu / wall, wall));
        used.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(10)
                .forEach(e -> b.append(String.format("%n    %-16s %5.1f %%", e.getKey(), 100 * e.getValue() / Math.max(1e-9, cpu))));
        System.out.println(b);
    }

    private static long captured(JsonNode status) {
        return status.path("sides").path("source").path("events").asLong() + status.path("sides").path("target").path("events").asLong();
    }

    private static double pct(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** Pins a process and every thread it has to the pair's CPUs; its children and threads made later inherit it. */
    private void pin(long pid) throws Exception {
        BenchProcess.run(List.of("taskset", "-a", "-p", "-c", pairCpus, Long.toString(pid)));
    }

    /** The load's command on the pair's CPUs. */
    private List<String> pinned(List<String> command) {
        List<String> out = new ArrayList<>(List.of("taskset", "-c", pairCpus));
        out.addAll(command);
        return out;
    }

    /** Runs the load for {@code seconds} at {@code rate} (0: unthrottled) on the pair's CPUs; returns its output. */
    private String run(KeepUpLoad load, int seconds, long rate) throws Exception {
        return BenchProcess.run(pinned(load.command(seconds, rate)));
    }
}
