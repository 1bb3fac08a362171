package dev.parity.api.cli;

import dev.parity.api.app.Parity;
import dev.parity.api.bench.ConfiguredBench;
import dev.parity.api.bench.KeepUpBench;
import dev.parity.api.bench.KeyTypeBench;
import dev.parity.api.bench.ReconcilerThroughput;
import dev.parity.api.bench.ScaleBench;
import dev.parity.api.bench.SteadySampler;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.status.Status;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity bench}: the figures of BENCHMARKS.md, reproduced on this machine. Installs nothing:
 * the databases are the embedded ones the tests use; {@code pt-table-checksum} is used only if it is
 * already on the PATH (the in-database {@code CHECKSUM TABLE} is always measured).
 */
@Command(name = "bench", description = "Measure the reconciler alone and the first full verdict on embedded database pairs (or, with -c,"
        + " on the configured databases), side by side with an in-database checksum of the same rows.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "1000000", description = "Rows per side for the first-verdict runs (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--engine", defaultValue = "postgresql", description = "postgresql, mariadb, mysql, both (postgresql and mariadb), all or none (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--keys", defaultValue = "1000000", description = "Keys for the reconciler-alone run (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--updates", defaultValue = "1000000", description = "Replicated changes for the reconciler-alone run (default: ${DEFAULT-VALUE})")
    int updates;

    @Option(names = "--steady-seconds", defaultValue = "60",
            description = "seconds of pgbench -N (PostgreSQL) / sysbench oltp_write_only (MariaDB) at the write ceiling while Parity watches,"
                    + " if the tool is on the PATH; 0 skips (default: ${DEFAULT-VALUE})")
    int steadySeconds;

    @Option(names = "--keep-up-seconds", defaultValue = "0",
            description = "PostgreSQL: the pair's write ceiling without Parity, then S seconds of single-row updates at each --fractions of it"
                    + " while Parity watches (needs pgbench on the PATH); 0 skips (default: ${DEFAULT-VALUE})")
    int keepUpSeconds;

    @Option(names = "--fractions", defaultValue = "0.25,0.5,0.75,0.9", split = ",",
            description = "fractions of the write ceiling for --keep-up-seconds (default: ${DEFAULT-VALUE})")
    List<Double> fractions;

    @Option(names = "--kafka-property", description = "KEY=VALUE for the --keep-up-seconds instance's kafka.properties (repeatable):"
            + " a Kafka Streams or client tuning to measure")
    Map<String, String> kafkaProperties = new java.util.LinkedHashMap<>();

    @Option(names = "--keep-up-rows", defaultValue = "100000", description = "rows of pgbench_accounts for --keep-up-seconds (default: ${DEFAULT-VALUE})")
    int keepUpRows;

    @Option(names = "--snapshot-method", defaultValue = "both",
            description = "first verdict with parity (Parity's own key-range load), debezium (connector snapshots) or both (default: ${DEFAULT-VALUE})")
    String snapshotMethod;

    /** The snapshot methods to time; the last one also measures detection and steady state. */
    private List<String> methods() {
        return switch (snapshotMethod) {
            case "parity" -> List.of("parity");
            case "debezium" -> List.of("debezium");
            case "both" -> List.of("debezium", "parity");
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--snapshot-method: " + snapshotMethod + ": must be parity, debezium or both");
        };
    }

    @Option(names = "--key-types", description = "only the first verdict per primary-key type (integer, uuid, varchar under different"
            + " collations, composite) on a PostgreSQL pair, --rows rows per table, each beside an md5 aggregate of it")
    boolean keyTypes;

    @Option(names = "--instances", description = "only the several-instances run: one parity run process, then two, on one broker and a Kafka"
            + " Connect worker over a PostgreSQL pair of --rows rows: first verdict, a burst of --burst changes, and the failover")
    boolean instances;

    @Option(names = "--burst", defaultValue = "100000", description = "changes in the --instances burst (default: ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--disk-updates", defaultValue = "0", description = "only the disk run: state dir size at the first verdict and after each"
            + " round of this many single-row updates (pgbench) on a PostgreSQL pair; 0 skips (default: ${DEFAULT-VALUE})")
    int diskUpdates;

    @Option(names = "--disk-rows", defaultValue = "50000", description = "rows of the disk run's table (default: ${DEFAULT-VALUE})")
    int diskRows;

    @Option(names = "--disk-rounds", defaultValue = "2", description = "rounds of --disk-updates (default: ${DEFAULT-VALUE})")
    int diskRounds;

    @Option(names = "--disk-against", description = "the ./parity launcher of another build (a checkout of the previous commit, built):"
            + " the disk run measures it first, then this build, on the same pair and workload")
    Path diskAgainst;

    @Option(names = "--one-core-seconds", defaultValue = "0", description = "only the one-core keep-up run: the pair of --engine (postgresql, mariadb, mysql or all), its load and"
            + " this harness on --pair-cpus, each build's parity run (default settings) alone on --parity-cpus, each fraction for this many"
            + " seconds; 0 skips (default: ${DEFAULT-VALUE})")
    int oneCoreSeconds;

    @Option(names = "--one-core-fractions", defaultValue = "0.5,1", split = ",",
            description = "fractions of the pair's write ceiling for --one-core-seconds; 1: unthrottled (default: ${DEFAULT-VALUE})")
    List<Double> oneCoreFractions;

    @Option(names = "--one-core-against", description = "the ./parity launcher of another build (a checkout of the previous commit, built):"
            + " the one-core run measures it and this build in turn; repeatable")
    List<Path> oneCoreAgainst = List.of();

    @Option(names = "--one-core-sysbench-rows", defaultValue = "500000", description = "rows of sbtest1 in the one-core run on MariaDB and MySQL"
            + " (default: ${DEFAULT-VALUE})")
    int oneCoreSysbenchRows;

    @Option(names = "--one-core-warm-up", defaultValue = "30", description = "seconds at half the ceiling before the one-core run's measured"
            + " phases, for each build and the capture floor (the JIT's first minutes; default: ${DEFAULT-VALUE})")
    int oneCoreWarmUp;

    @Option(names = "--one-core-repeat", defaultValue = "1", description = "times each build is measured, interleaved (default: ${DEFAULT-VALUE})")
    int oneCoreRepeat;

    @Option(names = "--pair-cpus", defaultValue = "0", description = "CPUs (taskset list) of the pair, its load and the harness in the one-core"
            + " run (default: ${DEFAULT-VALUE})")
    String pairCpus;

    @Option(names = "--parity-cpus", defaultValue = "1", description = "CPUs (taskset list) of Parity in the one-core run (default: ${DEFAULT-VALUE})")
    String parityCpus;

    @Option(names = {"-c", "--config"}, description = "measure on the databases of this config instead of embedded pairs (a separate"
            + " instance <name>_bench, dropped afterwards; writes nothing but heartbeats; steady state observes your own workload)")
    Path config;

    @Override
    public Integer call() throws Exception {
        System.out.printf("machine: %d cores, %s %s, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        if (config != null) {
            ConfiguredBench.run(ConfigLoader.load(config, System.getenv()), steadySeconds);
            return 0;
        }
        if (diskUpdates > 0) {
            Path pgbench = onPath("pgbench");
            if (pgbench == null) {
                System.out.println("disk: skipped (pgbench is not on the PATH; Debian: apt-get install postgresql-contrib)");
                return 1;
            }
            new dev.parity.api.bench.DiskBench(diskRows, diskUpdates, diskRounds).run(pgbench, builds(diskAgainst));
            return 0;
        }
        if (oneCoreSeconds > 0) {
            List<Engine> engines = switch (engine) {
                case "mariadb" -> List.of(Engine.MARIADB);
                case "mysql" -> List.of(Engine.MYSQL);
                case "both" -> List.of(Engine.POSTGRESQL, Engine.MARIADB);
                case "all" -> List.of(Engine.POSTGRESQL, Engine.MARIADB, Engine.MYSQL);
                default -> List.of(Engine.POSTGRESQL);
            };
            return new dev.parity.api.bench.OneCoreKeepUp(oneCoreSeconds, oneCoreFractions, pairCpus, parityCpus, oneCoreRepeat, oneCoreWarmUp)
                    .run(engines, e -> e == Engine.POSTGRESQL ? keepUpRows : oneCoreSysbenchRows, BenchCommand::onPath, builds(oneCoreAgainst));
        }
        if (keyTypes) {
            new KeyTypeBench(rows).run();
            return 0;
        }
        if (instances) {
            new ScaleBench(rows, Math.min(burst, rows)).run();
            return 0;
        }
        if (!engine.equals("none") || keepUpSeconds == 0) {
            reconciler();
        }
        if (engine.equals("postgresql") || engine.equals("both") || engine.equals("all")) {
            postgres();
        }
        if (engine.equals("mariadb") || engine.equals("both") || engine.equals("all")) {
            binlog(Engine.MARIADB);
        }
        if (engine.equals("mysql") || engine.equals("all")) {
            binlog(Engine.MYSQL);
        }
        if (keepUpSeconds > 0) {
            Path pgbench = onPath("pgbench");
            if (pgbench == null) {
                System.out.println("keeping up: skipped (pgbench is not on the PATH; Debian: apt-get install postgresql-contrib)");
            } else {
                new KeepUpBench(keepUpRows, keepUpSeconds, fractions, kafkaProperties).run(pgbench);
            }
        }
        return 0;
    }

    /** The builds a run compares: the other one's launcher, if given, first; then this one. */
    private static List<dev.parity.api.bench.BuildRun.Build> builds(Path against) {
        return builds(against == null ? List.of() : List.of(against));
    }

    /** The other builds' launchers (each labelled by its path when there are several), then this build. */
    private static List<dev.parity.api.bench.BuildRun.Build> builds(List<Path> against) {
        List<dev.parity.api.bench.BuildRun.Build> builds = new java.util.ArrayList<>();
        for (Path a : against) {
            builds.add(new dev.parity.api.bench.BuildRun.Build(against.size() == 1 ? "the other build" : a.toString(),
                    List.of(a.toAbsolutePath().toString())));
        }
        builds.add(dev.parity.api.bench.BuildRun.self());
        return builds;
    }

    private void reconciler() throws Exception {
        System.out.println("\n== reconciler alone (in-process processor, RocksDB key store, no broker) ==");
        ReconcilerThroughput.run(Math.min(keys, 50_000), Math.min(updates, 50_000), 1000); // JIT warm-up, discarded
        ReconcilerThroughput.Result r = ReconcilerThroughput.run(keys, updates, 1000);
        System.out.printf("load   %,d events (a %,d-key snapshot on both sides): %,.0f events/s%n", r.loadEvents(), r.keys(), r.loadEventsPerSecond());
        System.out.printf("update %,d events (replicated changes, heartbeat per 1000): %,.0f events/s%n", r.updateEvents(),
                r.updateEventsPerSecond());
        System.out.printf("initial load %,d keys (both sides' hashes, %s): %,.0f keys/s%n", r.keys(), "2,000 keys per record",
                r.initialLoadKeysPerSecond());
        System.out.printf("state  %,d bytes of RocksDB SST files for %,d keys: %.1f bytes/key (keys of %d bytes)%n", r.stateBytes(), 2 * r.keys(),
                r.stateBytesPerKey(), r.keyBytes());
    }

    private void postgres() throws Exception {
        System.out.printf("%n== first verdict, PostgreSQL pair (pgbench_accounts, %,d rows, logical replication) ==%n", rows);
        try (PostgresPair pg = PostgresPair.start()) {
            // The heartbeat table must exist on the subscriber before the subscription, as README says.
            pg.ddl("CREATE TABLE pgbench_accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, filler CHAR(84))",
                    "CREATE TABLE pgbench_branches (bid INT PRIMARY KEY, bbalance INT, filler CHAR(88))",
                    "CREATE TABLE pgbench_tellers (tid INT PRIMARY KEY, bid INT, tbalance INT, filler CHAR(84))",
                    "CREATE TABLE pgbench_history (tid INT, bid INT, aid INT, delta INT, mtime TIMESTAMP, filler CHAR(22))",
                    dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            int scale = Math.max(1, rows / 100_000);
            pg.onSource("INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, " + scale + ") g",
                    "INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0, '' FROM generate_series(1, " + scale * 10 + ") g");
            long t = System.nanoTime();
            pg.onSource("INSERT INTO pgbench_accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, " + rows + ") g");
            System.out.printf("loaded the source in %.1f s%n", seconds(t));
            t = System.nanoTime();
            pg.replicate("bench");
            awaitCount(side -> pg.count(side, "pgbench_accounts"));
            System.out.printf("replicated to the target in %.1f s%n", seconds(t));
            String md5 = "SELECT md5(string_agg(md5(a::text), '' ORDER BY aid)) FROM pgbench_accounts a";
            double s = pg.timeQuery(Side.SOURCE, md5);
            double tg = pg.timeQuery(Side.TARGET, md5);
            System.out.printf("md5-aggregate checksum: %.2f s on the source, %.2f s on the target%n", s, tg);
            Steady steady = steadySeconds > 0 && onPath("pgbench") != null ? p -> steadyState(p, pg) : null;
            if (steady == null) {
                System.out.println("steady state: skipped (" + (steadySeconds > 0 ? "pgbench is not on the PATH" : "--steady-seconds 0") + ")");
            }
            List<String> methods = methods();
            for (String m : methods) {
                boolean last = m.equals(methods.get(methods.size() - 1));
                firstVerdict(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.pgbench_accounts", m,
                        last ? () -> pg.onTarget("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1") : null, last ? steady : null,
                        verdict -> System.out.printf("Parity first verdict, snapshot.method %s (start to every chunk judged, both sides): %.1f s"
                                + " = %.1f× one md5 query, %.1f× both%n", m, verdict, verdict / s, verdict / (s + tg)));
            }
        }
    }

    private void binlog(Engine which) throws Exception {
        System.out.printf("%n== first verdict, %s pair (sbtest1, %,d rows, GTID replication) ==%n", which == Engine.MYSQL ? "MySQL" : "MariaDB", rows);
        try (BinlogPair db = BinlogPair.start(which, "sbtest")) {
            long t = System.nanoTime();
            db.onSource("CREATE TABLE sbtest.sbtest1 (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '',"
                            + " pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k))",
                    "INSERT INTO sbtest.sbtest1 SELECT seq, seq % 100000, REPEAT('c', 119), REPEAT('p', 59) FROM " + BinlogPair.seq(rows));
            awaitCount(side -> db.count(side, "sbtest.sbtest1"));
            System.out.printf("loaded and replicated in %.1f s%n", seconds(t));
            double s = db.timeQuery(Side.SOURCE, "CHECKSUM TABLE sbtest.sbtest1");
            double tg = db.timeQuery(Side.TARGET, "CHECKSUM TABLE sbtest.sbtest1");
            System.out.printf("CHECKSUM TABLE: %.2f s on the source, %.2f s on the target%n", s, tg);
            double ptSeconds = ptTableChecksum(db);
            Steady steady = steadySeconds > 0 && onPath("sysbench") != null ? p -> steadyState(p, db) : null;
            if (steady == null) {
                System.out.println("steady state: skipped (" + (steadySeconds > 0 ? "sysbench is not on the PATH (Debian: apt-get install sysbench)"
                        : "--steady-seconds 0") + ")");
            }
            List<String> methods = methods();
            for (String m : methods) {
                boolean last = m.equals(methods.get(methods.size() - 1));
                firstVerdict(db.sourceUrl(), db.targetUrl(), "root", "sbtest.sbtest1", m,
                        last ? () -> db.onTarget("UPDATE sbtest.sbtest1 SET k = k + 1 WHERE id = 1") : null, last ? steady : null,
                        verdict -> System.out.printf("Parity first verdict, snapshot.method %s (start to every chunk judged, both sides): %.1f s"
                                + " = %.1f× CHECKSUM TABLE on one side, %.1f× both%s%n", m, verdict, verdict / s, verdict / (s + tg),
                                ptSeconds > 0 ? String.format(", %.1f× pt-table-checksum", verdict / ptSeconds) : ""));
            }
        }
    }

    /** pt-table-checksum only if the user installed it (percona-toolkit); this command installs nothing. */
    private static double ptTableChecksum(BinlogPair db) throws Exception {
        Path tool = onPath("pt-table-checksum");
        if (tool == null) {
            System.out.println("pt-table-checksum: not on the PATH, skipped (Debian: apt-get install percona-toolkit)");
            return 0;
        }
        var loc = new dev.parity.ingest.jdbc.Endpoint(dev.parity.reconciler.model.Side.SOURCE, db.sourceUrl(), "root", null).location(3306);
        long t = System.nanoTime();
        Process p = new ProcessBuilder(tool.toString(), "h=" + loc.host() + ",P=" + loc.port() + ",u=root", "--databases", "sbtest",
                "--no-check-binlog-format", "--recursion-method", "none").inheritIO().start();
        int exit = p.waitFor();
        double took = seconds(t);
        System.out.printf("pt-table-checksum (source side, no replica discovery): %.2f s, exit %d%n", took, exit);
        return took;
    }

    private interface TargetWrite {
        void run() throws Exception;
    }

    /**
     * Seconds from {@code Parity.start} to IN_SYNC; then, as a second measurement, how long a
     * target-only write takes to show as DIVERGENT (capture, one heartbeat, reconciler).
     */
    private interface Steady {
        void run(Parity p) throws Exception;
    }

    private static Path onPath(String tool) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream().map(d -> Path.of(d, tool))
                .filter(Files::isExecutable).findFirst().orElse(null);
    }

    /**
     * pgbench -N (pgbench_accounts updates and history inserts) with enough clients to saturate the
     * source, while Parity watches: replication lag as Parity measures it, the reconciler's backlog and
     * the oldest pending key, sampled every second; p50/p99 and whether the backlog grows.
     */
    private void steadyState(Parity p, PostgresPair pg) throws Exception {
        var loc = new dev.parity.ingest.jdbc.Endpoint(dev.parity.reconciler.model.Side.SOURCE, pg.sourceUrl(), "postgres", null).location(5432);
        steadyState(p, "pgbench -N -c 8", List.of(onPath("pgbench").toString(), "-h", loc.host(), "-p", Integer.toString(loc.port()), "-U",
                "postgres", "-n", "-N", "-c", "8", "-j", "2", "-T", Integer.toString(steadySeconds), loc.database()));
    }

    private void steadyState(Parity p, BinlogPair db) throws Exception {
        var loc = new dev.parity.ingest.jdbc.Endpoint(dev.parity.reconciler.model.Side.SOURCE, db.sourceUrl(), "root", null).location(3306);
        steadyState(p, "sysbench oltp_write_only --threads=8", List.of(onPath("sysbench").toString(), "--db-driver=mysql",
                "--mysql-host=" + loc.host(), "--mysql-port=" + loc.port(), "--mysql-user=root", "--mysql-db=sbtest", "--tables=1",
                "--table-size=" + rows, "--threads=8", "--time=" + steadySeconds, "oltp_write_only", "run"));
    }

    /** Runs a write workload at its ceiling against the source while sampling Parity's lag and backlog every second. */
    private void steadyState(Parity p, String label, List<String> command) throws Exception {
        Process bench = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(bench.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "output unreadable: " + e.getMessage();
            }
        });
        SteadySampler sampler = new SteadySampler();
        while (bench.isAlive()) {
            sampler.sample(p);
            Thread.sleep(1_000);
        }
        String out = output.get();
        String tps = out.lines().map(String::trim).filter(l -> l.startsWith("tps") || l.startsWith("transactions:")).findFirst()
                .orElse("tps: not reported (" + out.lines().reduce("", (a, b) -> b) + ")");
        System.out.printf("steady state, %s for %d s: %s%n%s%n", label, steadySeconds, tps, sampler.summary());
    }


    /** Starts Parity on the pair and times its first verdict (reported at once), then the detection and steady-state runs. */
    private static void firstVerdict(String sourceUrl, String targetUrl, String user, String table, String method, TargetWrite rogue,
                                     Steady steady, java.util.function.DoubleConsumer report) throws Exception {
        Path state = Files.createTempDirectory("parity-bench");
        String yaml = String.format("""
                name: bench
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                snapshot: {method: %s}
                api: {port: 0}
                state: {dir: "%s"}
                """, sourceUrl, user, targetUrl, user, table, method, state);
        long t = System.nanoTime();
        try (Parity p = Parity.start(ConfigLoader.parse(yaml, "bench", Map.of()))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (System.nanoTime() < deadline) {
                Status s = p.status().status();
                if ("IN_SYNC".equals(s.state())) {
                    report.accept(seconds(t));
                    String baseline = String.valueOf(s.baseline());
                    if (!baseline.toLowerCase(java.util.Locale.ROOT).startsWith(method)) {
                        System.out.println("  (asked for " + method + ", got: " + baseline + ")");
                    }
                    if (rogue != null) {
                        detection(p, rogue);
                    }
                    if (steady != null) {
                        steady.run(p);
                    }
                    return;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("no verdict within 30 minutes: " + p.status().status().reasons());
        }
    }

    private static void detection(Parity p, TargetWrite rogue) throws Exception {
        long t = System.nanoTime();
        rogue.run();
        long deadline = t + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (p.status().divergences(null, 10).stream().anyMatch(d -> "DIVERGENT".equals(d.state()))) {
                System.out.printf("detection: a target-only UPDATE was DIVERGENT %.2f s after its commit (heartbeat interval 1 s)%n", seconds(t));
                return;
            }
            Thread.sleep(20);
        }
        System.out.println("detection: the target-only UPDATE was not DIVERGENT within 2 minutes");
    }

    private void awaitCount(java.util.function.ToLongFunction<Side> rowsOn) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (rowsOn.applyAsLong(Side.TARGET) >= rows) { // -1 while the table does not exist on the target yet
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the target did not reach " + rows + " rows");
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
