package dev.parity.api.readiness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parity.api.runtime.DatabaseInspection;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.runtime.PlannedTable;
import dev.parity.api.runtime.SchemaDiff;
import dev.parity.api.runtime.StatusService;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.query.TableSummary;
import dev.parity.reconciler.state.Watermark;
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
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The final zero-lag readiness query (DESIGN.md, "The readiness gate"): write a fence into the source,
 * wait until the reconciler has processed it from both sides on every partition, then evaluate every
 * check as of the fence. READY only when every check passes; each report is kept under the state dir.
 */
public final class ReadinessGate {
    private static final Logger LOG = LoggerFactory.getLogger(ReadinessGate.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ParityRuntime runtime;
    private final StatusService status;
    private final Clock clock;

    public ReadinessGate(ParityRuntime runtime, StatusService status, Clock clock) {
        this.runtime = runtime;
        this.status = status;
        this.clock = clock;
    }

    public ReadinessReport evaluate(Duration timeout, Duration maxLag) throws InterruptedException {
        Instant started = clock.instant();
        Map<String, Object> fence = new LinkedHashMap<>();
        List<Check> checks = new ArrayList<>();
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
                    checks.add(lag <= maxLag.toMillis() / 1000.0
                            ? Check.pass("fence-lag", "fence round trip " + lag + " s ≤ " + maxLag.toSeconds() + " s", Map.of("lagSeconds", lag))
                            : Check.fail("fence-lag", "fence round trip " + lag + " s > " + maxLag.toSeconds() + " s", Map.of("lagSeconds", lag)));
                    checks.addAll(stateChecks(seq));
                }
            } catch (Exception e) {
                checks.add(Check.unknown("fence", "the fence could not be written: " + e.getMessage()));
            }
        }
        checks.addAll(databaseChecks());
        dev.parity.api.runtime.InitialLoad load = runtime.initialLoad();
        if (load != null) {
            checks.add(load.complete()
                    ? Check.pass("baseline", "initial load by Parity finished at " + load.finishedAt(), Map.of("finishedAt", load.finishedAt().toString()))
                    : Check.fail("baseline", "initial load by Parity not finished: " + load.activity()
                            + (load.problem() == null ? "" : " (" + load.problem() + ")"), Map.of()));
        }
        Check reread = reread();
        if (reread != null) {
            checks.add(reread);
        }
        checks.add(capturesLive());
        boolean ready = decided && checks.stream().allMatch(c -> c.status() == Check.Status.PASS);
        ReadinessReport report = new ReadinessReport(ready, decided, clock.instant().toString(), fence, checks);
        store(report);
        return report;
    }

    /** When both sides' streams have delivered heartbeat {@code seq} on every partition; null on timeout. */
    private Instant awaitFence(long seq, Instant deadline) throws InterruptedException {
        while (clock.instant().isBefore(deadline)) {
            try {
                if (passed(Side.SOURCE, seq) && passed(Side.TARGET, seq)) {
                    return clock.instant();
                }
            } catch (InvalidStateStoreException e) {
                LOG.debug("reconciler stores not queryable yet: {}", e.getMessage());
            }
            Thread.sleep(50);
        }
        return null;
    }

    private boolean passed(Side side, long seq) {
        List<Watermark> marks = status.view().watermarks(side);
        return marks.size() >= runtime.partitions() && marks.stream().allMatch(w -> w.seq() >= seq);
    }

    private List<Check> stateChecks(long seq) {
        List<Check> out = new ArrayList<>();
        List<DivergenceView> divergent = status.view().divergences(null, 10_000).stream()
                .filter(d -> d.state() == dev.parity.reconciler.state.Verdict.DIVERGENT).toList();
        out.add(divergent.isEmpty() ? Check.pass("divergent-keys", "no DIVERGENT key", Map.of("divergentKeys", 0))
                : Check.fail("divergent-keys", divergent.size() + " DIVERGENT key(s)", Map.of("divergentKeys", divergent.size(),
                        "sample", divergent.stream().limit(10).map(d -> d.table() + " " + d.key()).toList())));
        List<DivergenceView> pending = status.view().pendingBefore(seq, 10_000);
        out.add(pending.isEmpty() ? Check.pass("pending-keys", "no PENDING key changed before the fence", Map.of("pendingBeforeFence", 0))
                : Check.fail("pending-keys", pending.size() + " key(s) changed before the fence still have no verdict",
                        Map.of("pendingBeforeFence", pending.size(), "sample", pending.stream().limit(10).map(d -> d.table() + " " + d.key()).toList())));
        Map<String, TableSummary> tables = status.view().tables();
        for (PlannedTable t : runtime.tables()) {
            String name = "table " + t.mappedId();
            if (!t.captured()) {
                out.add(Check.unknown(name, "not verified: " + t.problem()));
                continue;
            }
            TableSummary s = tables.getOrDefault(t.mappedId(), status.view().emptySummary(t.mappedId()));
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("sourceRows", s.source().count());
            ev.put("targetRows", s.target().count());
            ev.put("sourceDigest", s.source().sum().toHex());
            ev.put("targetDigest", s.target().sum().toHex());
            boolean equal = s.source().equals(s.target());
            long inFlight = s.pendingKeys();
            if (equal && s.divergentKeys() == 0) {
                out.add(Check.pass(name, "row counts and digests equal", ev));
            } else if (s.divergentKeys() == 0 && pending.stream().noneMatch(d -> d.table().equals(t.mappedId()))) {
                ev.put("inFlightAfterFence", inFlight);
                out.add(Check.pass(name, "equal as of the fence; " + inFlight + " key(s) changed after it are still replicating", ev));
            } else {
                out.add(Check.fail(name, "row counts or digests differ", ev));
            }
        }
        return out;
    }

    private List<Check> databaseChecks() {
        List<Check> out = new ArrayList<>();
        try {
            SchemaDiff.Report diff = SchemaDiff.run(runtime.config());
            out.add(diff.differences().isEmpty() ? Check.pass("schema", "structures match", Map.of())
                    : Check.fail("schema", diff.differences().size() + " structural difference(s)", Map.of("differences",
                            diff.differences().stream().map(d -> d.table() + " " + d.aspect() + ": " + d.source() + " → " + d.target()
                                    + (d.risk() == null ? "" : " (" + d.risk() + ")")).toList())));
            List<String> risky = diff.settings().stream().filter(s -> s.dataRisk())
                    .map(s -> s.setting() + ": " + s.source() + " → " + s.target() + " (" + s.risk() + ")").toList();
            out.add(risky.isEmpty() ? Check.pass("settings", "no setting differs in a way that changes data", Map.of())
                    : Check.fail("settings", risky.size() + " setting difference(s) that change data", Map.of("differences", risky)));
        } catch (Exception e) {
            out.add(Check.unknown("schema", "could not read the structures: " + e.getMessage()));
            out.add(Check.unknown("settings", "could not read the settings: " + e.getMessage()));
        }
        try {
            var history = DatabaseInspection.migrationHistory(runtime.config());
            var s = history.get(Side.SOURCE);
            var t = history.get(Side.TARGET);
            out.add(Objects.equals(s, t)
                    ? Check.pass("migration-history", s.isEmpty() ? "no migration-history table on either side" : "equal: " + s.keySet(), Map.of())
                    : Check.fail("migration-history", "differs: source " + summary(s) + ", target " + summary(t), Map.of()));
        } catch (Exception e) {
            out.add(Check.unknown("migration-history", "could not read migration history: " + e.getMessage()));
        }
        try {
            var orphans = DatabaseInspection.foreignKeyOrphans(runtime.config(),
                    runtime.tables().stream().filter(PlannedTable::captured).map(PlannedTable::targetName).toList());
            out.add(orphans.isEmpty() ? Check.pass("foreign-key-orphans", "no orphaned foreign-key rows on the target", Map.of())
                    : Check.fail("foreign-key-orphans", orphans.stream().mapToLong(DatabaseInspection.Orphans::count).sum()
                            + " orphaned row(s) on the target", Map.of("orphans", orphans.stream()
                            .map(o -> o.table() + " " + o.foreignKey() + ": " + o.count() + " e.g. " + o.samples()).toList())));
        } catch (Exception e) {
            out.add(Check.unknown("foreign-key-orphans", "could not check foreign keys: " + e.getMessage()));
        }
        return out;
    }

    private static String summary(Map<String, List<String>> m) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        m.forEach((k, v) -> counts.put(k, v.size()));
        return counts.toString();
    }

    /**
     * Writes no change log records (MySQL/MariaDB {@code sql_log_bin = 0}, in-place ALTER, TRUNCATE)
     * are only found by re-reading: every watched table must have been re-read completely on every
     * configured side. What a re-read found is judged like any change, so it shows in divergent-keys.
     * Null (no check) when the sweep is switched off in the config: the report's checks then do not
     * claim to have looked.
     */
    private Check reread() {
        dev.parity.api.runtime.Sweeper sweeper = status.sweeper();
        if (sweeper == null || !runtime.config().verify().enabled()) {
            return null;
        }
        if (sweeper.disabledReason() != null) {
            return Check.unknown("reread", "tables cannot be re-read: " + sweeper.disabledReason());
        }
        Map<String, dev.parity.api.runtime.Sweeper.TableResult> latest = new LinkedHashMap<>();
        sweeper.results().forEach(r -> latest.put(r.table() + " on the " + r.side().label(), r));
        List<String> missing = new ArrayList<>();
        Instant oldest = null;
        long rows = 0;
        for (PlannedTable t : runtime.tables()) {
            if (!t.captured()) {
                continue;
            }
            for (Side side : runtime.config().verify().sides()) {
                var r = latest.get(t.mappedId() + " on the " + side.label());
                if (r == null || !r.complete()) {
                    missing.add(t.mappedId() + " on the " + side.label() + (r == null ? ": not yet re-read" : ": " + r.problem()));
                } else {
                    rows += r.rowsRead();
                    oldest = oldest == null || r.finishedAt().isBefore(oldest) ? r.finishedAt() : oldest;
                }
            }
        }
        if (!missing.isEmpty()) {
            return Check.unknown("reread", missing.size() + " table(s) not completely re-read, so writes no change log recorded are not ruled"
                    + " out there", Map.of("notReread", missing));
        }
        String age = oldest == null ? "n/a" : Duration.between(oldest, clock.instant()).toSeconds() + " s";
        return Check.pass("reread", "every table re-read on " + runtime.config().verify().sides().stream().map(Side::label).toList()
                + " (" + rows + " rows; oldest re-read finished " + age + " ago)", Map.of("rowsReread", rows,
                "oldestRereadAt", oldest == null ? "" : oldest.toString()));
    }

    /**
     * Both captures streaming and advancing: with heartbeats, each must have delivered one of Parity's
     * heartbeats in the last 10 s (a connector that keeps reconnecting still emits its own heartbeats,
     * which prove nothing about the stream); without, it must have delivered anything.
     */
    private Check capturesLive() {
        List<String> dead = new ArrayList<>();
        boolean heartbeats = runtime.config().heartbeat().enabled();
        for (Side side : Side.values()) {
            CaptureStatus c = runtime.capture(side);
            Instant last = heartbeats ? c.lastHeartbeatAt() : c.lastSeenAt();
            if (c.phase() != CaptureStatus.Phase.STREAMING || last == null || Duration.between(last, clock.instant()).compareTo(Duration.ofSeconds(10)) > 0) {
                dead.add(side.label() + " (" + c.phase() + (last == null ? ", nothing delivered" : ", last "
                        + (heartbeats ? "heartbeat" : "event") + " " + Duration.between(last, clock.instant()).toSeconds() + " s ago")
                        + (c.error() == null ? "" : ": " + c.error()) + ")");
            }
        }
        return dead.isEmpty() ? Check.pass("captures-live", "both captures streaming and delivering " + (heartbeats ? "heartbeats" : "events")
                + " within the last 10 s", Map.of())
                : Check.fail("captures-live", "not live: " + String.join(", ", dead), Map.of());
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
