package dev.parity.api.readiness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.status.StatusService;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.inspect.DatabaseInspection;
import dev.parity.ingest.inspect.SchemaDiff;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.load.InitialLoad;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.Sweeper;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.query.TableSummary;
import dev.parity.reconciler.rules.Check;
import dev.parity.reconciler.rules.HeartbeatProgress;
import dev.parity.reconciler.rules.OverallState;
import dev.parity.reconciler.rules.ReadinessChecks;
import dev.parity.reconciler.rules.ReadinessReport;
import dev.parity.reconciler.state.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final zero-lag readiness query (README, "The readiness gate"): write a fence into the source, wait
 * until the reconciler has processed it from both sides on every partition, gather every fact as of the
 * fence, and let the core's {@link ReadinessChecks} judge them. Each report is kept under the state dir.
 */
public final class ReadinessGate {
    private static final Logger LOG = LoggerFactory.getLogger(ReadinessGate.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Keys read from the mismatch index per gate; the counts in the report are exact up to this many. */
    static final int KEYS_READ = 10_000;

    private final ParityRuntime runtime;
    private final StatusService status;
    private final Clock clock;

    public ReadinessGate(ParityRuntime runtime, StatusService status, Clock clock) {
        this.runtime = runtime;
        this.status = status;
        this.clock = clock;
    }

    private volatile ReadinessReport last;

    /** The latest answer of the gate in this process; null before the first. */
    public ReadinessReport last() {
        return last;
    }

    public ReadinessReport evaluate(Duration timeout, Duration maxLag) throws InterruptedException {
        ReadinessReport report = judge(timeout, maxLag);
        last = report;
        return report;
    }

    private ReadinessReport judge(Duration timeout, Duration maxLag) throws InterruptedException {
        Instant started = clock.instant();
        Map<String, Object> fence = new LinkedHashMap<>();
        List<Check> checks = new ArrayList<>();
        List<PlannedTable> verified = runtime.verifiedTables();
        HeartbeatWriter hb = runtime.heartbeat();
        boolean decided = false;
        if (hb == null) {
            checks.add(Check.unknown("fence", "no fence can be written: " + runtime.heartbeatError()));
        } else {
            String id = UUID.randomUUID().toString();
            try {
                long seq = hb.beat(id);
                Instant written = Instant.ofEpochSecond(0, hb.writtenAt(seq) * 1000);
                fence.put("id", id);
                fence.put("seq", seq);
                fence.put("writtenAt", written.toString());
                Instant arrived = awaitFence(seq, started.plus(timeout));
                if (arrived == null) {
                    checks.add(Check.unknown("fence", "the fence (seq " + seq + ") did not come back through both streams on every partition within "
                            + timeout.toSeconds() + " s: replication or capture is stalled"));
                } else {
                    decided = true;
                    double lag = Duration.between(written, arrived).toMillis() / 1000.0;
                    fence.put("arrivedAt", arrived.toString());
                    fence.put("lagSeconds", lag);
                    checks.add(ReadinessChecks.fenceLag(lag, maxLag));
                    try {
                        checks.addAll(status.readStores(() -> stateChecks(seq, verified)));
                    } catch (InvalidStateStoreException e) {
                        checks.add(Check.unknown("divergent-keys", "the reconciler's state could not be read: " + e.getMessage()));
                    }
                }
            } catch (Exception e) {
                checks.add(Check.unknown("fence", "the fence could not be written: " + e.getMessage()));
            }
        }
        checks.addAll(databaseChecks(verified));
        InitialLoad load = runtime.initialLoad();
        if (load != null) {
            checks.add(ReadinessChecks.baseline(load.finishedAt(), load.activity(), load.problem()));
        }
        Sweeper sweeper = status.sweeper();
        if (sweeper != null && runtime.config().verify().enabled()) {
            // Switched off in the config: the report then does not claim to have looked for unlogged writes.
            checks.add(ReadinessChecks.reread(sweeper.disabledReason(), verified.stream().map(PlannedTable::mappedId).toList(),
                    runtime.config().verify().sides(), latestReads(sweeper), sweeper.maxAge(), clock.instant()));
        }
        checks.add(capturesLive());
        checks.add(ReadinessChecks.tables(runtime.tables().size(), verified.size()));
        ReadinessReport report = new ReadinessReport(ReadinessChecks.ready(decided, checks), decided, clock.instant().toString(), fence, checks);
        store(report);
        return report;
    }

    /** Per table and side, the latest complete read, with the problem of a later attempt that did not complete. */
    private static List<ReadinessChecks.TableRead> latestReads(Sweeper sweeper) {
        Map<String, ReadinessChecks.TableRead> out = new LinkedHashMap<>();
        for (Sweeper.TableResult r : sweeper.results()) {
            if (!r.complete()) {
                out.put(r.table() + "|" + r.side(), new ReadinessChecks.TableRead(r.table(), r.side(), null, r.rowsRead(), "sweep round " + r.round(),
                        r.problem() == null ? "round " + r.round() + " still reading" : r.problem()));
            }
        }
        for (var f : sweeper.fullReads()) {
            ReadinessChecks.TableRead failed = out.get(f.table() + "|" + f.side());
            out.put(f.table() + "|" + f.side(), new ReadinessChecks.TableRead(f.table(), f.side(), f.at(), f.rows(), f.by(),
                    failed == null ? null : failed.problem()));
        }
        return List.copyOf(out.values());
    }

    /** When both sides' streams have delivered heartbeat {@code seq} on every partition; null on timeout. */
    private Instant awaitFence(long seq, Instant deadline) throws InterruptedException {
        while (clock.instant().isBefore(deadline)) {
            try {
                ReconcilerView view = status.view();
                int partitions = runtime.partitions();
                if (HeartbeatProgress.reached(view.watermarks(Side.SOURCE), partitions, seq)
                        && HeartbeatProgress.reached(view.watermarks(Side.TARGET), partitions, seq)) {
                    return clock.instant();
                }
            } catch (InvalidStateStoreException e) {
                LOG.debug("reconciler stores not queryable yet: {}", e.getMessage());
            }
            Thread.sleep(50);
        }
        return null;
    }

    private List<Check> stateChecks(long seq, List<PlannedTable> verified) {
        List<Check> out = new ArrayList<>();
        ReconcilerView view = status.view();
        List<DivergenceView> divergent = view.divergences(null, KEYS_READ).stream().filter(d -> d.state() == Verdict.DIVERGENT).toList();
        out.add(ReadinessChecks.divergentKeys(divergent.size(), sample(divergent)));
        List<DivergenceView> pending = view.pendingBefore(seq, KEYS_READ);
        out.add(ReadinessChecks.pendingKeys(pending.size(), sample(pending)));
        Map<String, TableSummary> tables = view.tables();
        for (PlannedTable t : runtime.tables()) {
            TableSummary s = t.captured() ? tables.getOrDefault(t.mappedId(), view.emptySummary(t.mappedId())) : null;
            out.add(ReadinessChecks.table(t.mappedId(), t.problem(), s, pending.stream().anyMatch(d -> d.table().equals(t.mappedId()))));
        }
        return out;
    }

    private static List<String> sample(List<DivergenceView> keys) {
        // Row values never appear here: a row of a table without key shows as its hash (see DivergenceDetail.shownKey).
        return keys.stream().limit(10).map(d -> d.table() + " " + dev.parity.api.status.DivergenceDetail.shownKey(d, dev.parity.api.status.DivergenceDetail.Values.NONE)).toList();
    }

    private List<Check> databaseChecks(List<PlannedTable> verified) {
        List<Check> out = new ArrayList<>();
        var config = runtime.config().ingest();
        try {
            SchemaDiff.Report diff = SchemaDiff.run(config);
            out.add(ReadinessChecks.schema(diff.differences().stream().map(d -> d.table() + " " + d.aspect() + ": " + d.source() + " → " + d.target()
                    + (d.risk() == null ? "" : " (" + d.risk() + ")")).toList()));
            out.add(ReadinessChecks.settings(diff.settings().stream().filter(s -> s.dataRisk())
                    .map(s -> s.setting() + ": " + s.source() + " → " + s.target() + " (" + s.risk() + ")").toList()));
            out.add(ReadinessChecks.watchedTables(diff.unwatched(runtime.tables())));
            for (PlannedTable t : verified) {
                String gone = diff.gone(t);
                if (gone != null) {
                    out.add(Check.fail("table " + t.mappedId(), gone, Map.of()));
                }
            }
        } catch (Exception e) {
            out.add(Check.unknown("schema", "could not read the structures: " + e.getMessage()));
            out.add(Check.unknown("settings", "could not read the settings: " + e.getMessage()));
        }
        try {
            var history = DatabaseInspection.migrationHistory(config);
            out.add(ReadinessChecks.migrationHistory(history.get(Side.SOURCE), history.get(Side.TARGET)));
        } catch (Exception e) {
            out.add(Check.unknown("migration-history", "could not read migration history: " + e.getMessage()));
        }
        try {
            var orphans = DatabaseInspection.foreignKeyOrphans(config, verified.stream().map(PlannedTable::targetName).toList());
            out.add(ReadinessChecks.foreignKeyOrphans(orphans.stream().mapToLong(DatabaseInspection.Orphans::count).sum(),
                    orphans.stream().map(o -> o.table() + " " + o.foreignKey() + ": " + o.count() + " e.g. " + o.samples()).toList()));
        } catch (Exception e) {
            out.add(Check.unknown("foreign-key-orphans", "could not check foreign keys: " + e.getMessage()));
        }
        return out;
    }

    private Check capturesLive() {
        boolean heartbeats = runtime.config().heartbeat().enabled();
        List<ReadinessChecks.Liveness> captures = new ArrayList<>();
        for (Side side : Side.values()) {
            CaptureStatus c = runtime.capture(side);
            captures.add(new ReadinessChecks.Liveness(side, c.phase(), c.connected(),
                    heartbeats ? c.lastHeartbeatAt() : c.lastSeenAt(), c.error()));
        }
        return ReadinessChecks.capturesLive(captures, heartbeats, clock.instant());
    }

    private void store(ReadinessReport report) {
        Path dir = runtime.config().stateDir().resolve("readiness");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("readiness-" + report.at().replace(':', '-') + ".json"), JSON.writeValueAsString(report));
        } catch (IOException e) {
            LOG.warn("could not keep the readiness report in {}: {}", dir, e.getMessage());
        }
    }
}
