package dev.parity.api.bench;

import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Does Parity's disk grow with keys or with changes (BENCHMARKS.md, "Disk")? On one PostgreSQL pair with logical
 * replication, each build under test runs as its own {@code parity run} process with a fresh state dir: first verdict
 * over {@code rows} rows, then {@code rounds} rounds of {@code updates} single-row updates (pgbench, unthrottled), each
 * followed by IN_SYNC and a settling minute (commits, purges and compaction run on timers of seconds). After each step the
 * state dir's size on disk ({@code du}), split into side topics, store changelogs, Kafka's own topics and the Kafka
 * Streams stores. Builds are given as launchers ({@code ./parity} of a checkout): this one and, for an A/B in one run,
 * another (the previous build), measured one after the other on the same pair and workload.
 */
public final class DiskBench {
    private static final int CLIENTS = 4;
    private static final Duration SETTLE = Duration.ofSeconds(75);

    private final int rows;
    private final int updates;
    private final int rounds;

    public DiskBench(int rows, int updates, int rounds) {
        this.rows = rows;
        this.updates = updates;
        this.rounds = rounds;
    }

    public void run(Path pgbench, List<BuildRun.Build> builds) throws Exception {
        System.out.printf("%n== disk, PostgreSQL pair (pgbench_accounts %,d rows; %d round(s) of %,d single-row updates, %d clients) ==%n", rows,
                rounds, updates, CLIENTS);
        try (PostgresPair pg = PostgresPair.start()) {
            PgbenchAccounts.create(pg, rows, "disk");
            List<String> load = new ArrayList<>(PgbenchAccounts.updates(pg, pgbench, rows, CLIENTS));
            load.addAll(List.of("-t", Integer.toString(Math.max(1, updates / CLIENTS)), "postgres"));
            // Each build's cleanup drops the heartbeat table too: all run once every build is measured.
            List<List<String>> cleanups = new ArrayList<>();
            try {
                int n = 0;
                for (BuildRun.Build b : builds) {
                    measure(pg, b, "disk" + (n++), load, cleanups);
                }
            } finally {
                BuildRun.cleanAll(cleanups);
            }
        }
    }

    private void measure(PostgresPair pg, BuildRun.Build build, String name, List<String> load, List<List<String>> cleanups) throws Exception {
        System.out.printf("%n-- %s (%s) --%n", build.label(), String.join(" ", build.launcher().subList(0, Math.min(1, build.launcher().size()))));
        try (BuildRun parity = BuildRun.start(build, pg, name, List.of())) {
            cleanups.add(parity.cleanup());
            Path state = parity.state();
            long t0 = System.nanoTime();
            parity.awaitInSync(Duration.ofMinutes(10));
            System.out.printf("first verdict after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            report("at the first verdict", state);
            for (int r = 1; r <= rounds; r++) {
                long u0 = System.nanoTime();
                Process p = new ProcessBuilder(load).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("pgbench failed: " + out);
                }
                parity.awaitInSync(Duration.ofMinutes(20));
                System.out.printf("round %d: %,d updates, IN_SYNC %.1f s after they began%n", r, updates, (System.nanoTime() - u0) / 1e9);
                report("  at IN_SYNC", state);
                Thread.sleep(SETTLE.toMillis());
                report("  " + SETTLE.toSeconds() + " s later", state);
            }
        }
    }

    /** The state dir's size on disk, and where it is. */
    private static void report(String when, Path state) throws Exception {
        Map<String, Long> parts = new TreeMap<>();
        Path kafka = state.resolve("kafka");
        long kafkaTotal = 0;
        if (Files.isDirectory(kafka)) {
            try (var dirs = Files.list(kafka)) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    long kb = du(d);
                    kafkaTotal += kb;
                    String n = d.getFileName().toString();
                    String part = n.contains("-changelog-") ? "changelog " + n.replaceAll(".*-parity-(.*)-changelog-\\d+$", "$1")
                            : n.startsWith("parity.") ? "side topics" : n.startsWith("__") ? "Kafka's own topics" : "other Kafka";
                    parts.merge(part, kb, Long::sum);
                }
            }
        }
        long streams = Files.isDirectory(state.resolve("streams")) ? du(state.resolve("streams")) : 0;
        long total = du(state);
        parts.put("Streams stores", streams);
        parts.put("rest", Math.max(0, total - kafkaTotal - streams));
        StringBuilder b = new StringBuilder();
        parts.forEach((k, v) -> b.append(", ").append(k).append(' ').append(String.format("%.1f", v / 1024.0)).append(" MB"));
        System.out.printf("%s: state dir %.1f MB (%s)%n", when, total / 1024.0, b.substring(2));
    }

    /** Kilobytes a path takes on disk (allocated blocks: Kafka preallocates sparse index files). */
    private static long du(Path p) throws Exception {
        Process du = new ProcessBuilder("du", "-sk", p.toString()).redirectErrorStream(true).start();
        String out = new String(du.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        du.waitFor();
        return Long.parseLong(out.split("\\s+")[0]);
    }
}
