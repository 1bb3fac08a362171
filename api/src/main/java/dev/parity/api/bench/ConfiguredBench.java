package dev.parity.api.bench;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.inspect.Checksums;
import dev.parity.ingest.inspect.Cleanup;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code parity bench -c FILE}: the first-verdict and steady-state figures on the user's own databases.
 * A separate, short-lived instance ({@code <name>_bench}: its own slots, publication, topics and a
 * temporary state directory, the verification sweep off, no webhooks) watches the configured tables
 * until every chunk has a verdict, the in-database checksum of the same tables is timed for
 * comparison, the instance then watches the users' own workload for the steady-state figures (it
 * writes nothing but heartbeats), and everything it created is dropped at the end: the heartbeat
 * table only if it did not exist before.
 */
public final class ConfiguredBench {
    private static final Duration VERDICT_LIMIT = Duration.ofHours(6);

    private ConfiguredBench() {
    }

    public static void run(ParityConfig user, int steadySeconds) throws Exception {
        ParityConfig cfg = benchConfig(user, Files.createTempDirectory("parity-bench"));
        System.out.printf("%n== first verdict on the configured databases (instance %s, snapshot.method %s) ==%n", cfg.name(),
                cfg.snapshot().method().name().toLowerCase(java.util.Locale.ROOT));
        boolean heartbeatExisted = Cleanup.list(cfg.ingest()).values().stream().flatMap(List::stream).anyMatch(o -> o.startsWith("table "));
        long t = System.nanoTime();
        try (Parity p = Parity.start(cfg)) {
            String state = p.awaitState(VERDICT_LIMIT, java.util.Set.of("IN_SYNC", "DIVERGENT", "UNVERIFIED")); // no chunk awaits a verdict
            double verdict = (System.nanoTime() - t) / 1e9;
            System.out.printf("Parity first verdict (start to every chunk judged, both sides): %.1f s, state %s, baseline %s%n", verdict, state,
                    p.status().status().baseline());
            double checksums = checksums(p);
            if (checksums > 0) {
                System.out.printf("  = %.1f× the in-database checksums of the same tables on both sides (%.2f s)%n", verdict / checksums, checksums);
            }
            if (steadySeconds > 0) {
                observe(p, steadySeconds);
            }
        } finally {
            Cleanup.drop(cfg.ingest(), !heartbeatExisted);
            System.out.println("dropped what the bench instance created" + (heartbeatExisted ? " (the heartbeat table existed before: kept)" : ""));
        }
    }

    /** The user's instance under another name, with its own state, embedded broker and derived replica server ids. */
    static ParityConfig benchConfig(ParityConfig u, Path state) {
        String name = (u.name() + "_bench").substring(0, Math.min(31, u.name().length() + 6));
        IngestConfig.Database s = u.source();
        IngestConfig.Database tg = u.target();
        return new ParityConfig(name,
                new IngestConfig.Database(s.url(), s.user(), s.password(), s.engine(), null),
                new IngestConfig.Database(tg.url(), tg.user(), tg.password(), tg.engine(), null),
                u.tables(), u.chunkBits(), u.heartbeat(), u.readiness(),
                new ParityConfig.Kafka("", u.kafka().partitions(), Map.of()),
                new ParityConfig.Api("127.0.0.1", 0, "", null),
                new ParityConfig.Alerts(List.of(), u.alerts().lagThreshold(), u.alerts().groupInterval()),
                new IngestConfig.Verify(false, u.verify().interval(), u.verify().maxAge(), u.verify().sides(), u.verify().pageRows(), u.verify().maxRowsPerSecond()),
                u.snapshot(), u.drilldown(), new ParityConfig.Capture(ParityConfig.Capture.EMBEDDED), state, u.stateMinFreeMb());
    }

    /** Times an in-database checksum of every verified table on both sides; seconds in all (0 when none could run). */
    private static double checksums(Parity p) {
        try {
            double total = 0;
            for (Checksums.Timing t : Checksums.time(p.runtime().databases(), p.runtime().verifiedTables())) {
                System.out.printf("  %s on the %s: %.2f s (%s)%n", t.table(), t.side().label(), t.seconds(), t.method());
                total += t.seconds();
            }
            return total;
        } catch (Exception e) {
            System.out.println("  in-database checksums not timed: " + e.getMessage());
            return 0;
        }
    }

    /** Watches the users' own workload: lag and reconciler backlog once a second. */
    private static void observe(Parity p, int seconds) throws InterruptedException {
        SteadySampler sampler = new SteadySampler();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            sampler.sample(p);
            Thread.sleep(1_000);
        }
        System.out.printf("steady state under your own workload for %d s:%n%s%n", seconds, sampler.summary());
    }
}
