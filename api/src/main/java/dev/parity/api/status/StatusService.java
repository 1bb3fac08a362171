package dev.parity.api.status;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.runtime.ReconcilerProgress;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.inspect.SchemaDiff;
import dev.parity.ingest.inspect.SchemaWatch;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.Sweeper;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.query.TableSummary;
import dev.parity.reconciler.rules.OverallState;
import dev.parity.reconciler.state.Watermark;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Gathers the facts of one running Parity and builds the API's answers from them: the overall state
 * is the core's rule ({@link OverallState}), applied to what the captures, the reconciler's stores and
 * the live structure comparison say now. The monitor computes it once per tick for alerts and the lag
 * history; the HTTP API and the metrics compute their own when asked, so every answer is current.
 * Every consumer reads the record's fields.
 */
public final class StatusService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StatusService.class);
    /**
     * Pending keys examined, earliest due first, to find the longest-waiting one: exact while fewer are
     * pending. Each costs a key-state read, and status runs every second (the monitor): at 10,000 this
     * scan took most of the status time under a write-ceiling load (BENCHMARKS.md, steady state).
     */
    static final int OLDEST_PENDING_SCAN = 1_000;

    private final ParityRuntime runtime;
    private final Clock clock;
    private final ViewCurrency currency;
    private volatile Sweeper sweeper;
    private volatile SchemaWatch schema;

    public StatusService(ParityRuntime runtime, Clock clock) {
        this.runtime = runtime;
        this.clock = clock;
        this.currency = new ViewCurrency(runtime);
    }

    /** Includes the verification sweep's progress in status. */
    public void attach(Sweeper sweeper) {
        this.sweeper = sweeper;
    }

    /** The chunk digests status judges by, read with a bounded wait (see {@link BoundedStoreRead}). */
    private final BoundedStoreRead storeReads = new BoundedStoreRead(BoundedStoreRead.WAIT);

    /** Includes live schema drift in status, and tables that disappeared since start. */
    public void attach(SchemaWatch schema) {
        this.schema = schema;
    }

    /** The verification sweep, once attached; null before. */
    public Sweeper sweeper() {
        return sweeper;
    }

    /** The reconciler's stores; throws {@link InvalidStateStoreException} until they can be queried. */
    /**
     * Reads the reconciler's stores within status's bound (a few seconds): a Kafka Streams thread blocked on an unreachable
     * broker holds the cached stores' lock, and whoever reads them would wait with it (README, "When things fail").
     *
     * @throws InvalidStateStoreException with the reason when the stores do not answer in time
     */
    public <T> T readStores(java.util.concurrent.Callable<T> read) {
        return storeReads.read(read);
    }

    public ReconcilerView view() {
        return runtime.view();
    }

    /** Samples the reconciler's progress (the monitor calls this once a second). */
    public void sampleProgress() {
        ReconcilerProgress p = runtime.progress();
        if (p != null) {
            try {
                p.sample();
            } catch (Exception e) {
                LOG.debug("reconciler progress not sampled: {}", e.getMessage());
            }
        }
    }

    /** Computes the status now. */
    public Status status() {
        Instant now = clock.instant();
        List<OverallState.Capture> captures = new ArrayList<>();
        SideStatus[] sides = new SideStatus[2];
        for (Side side : Side.values()) {
            CaptureStatus c = runtime.capture(side);
            sides[side.ordinal()] = new SideStatus(c.phase() == CapturePhase.STARTING ? "SNAPSHOTTING" : c.phase().name(), c.lastEventAt(),
                    c.lastCommitMicros() < 0 ? null : seconds(now.toEpochMilli() * 1000 - c.lastCommitMicros()), c.events(), c.error(),
                    SnapshotProgress.of(runtime, side, c, now));
            // Silent since its last delivery; never delivered counts as silent (STALE): a capture restarted again and again
            // (its broker gone) must not look current for want of a first delivery (BrokerRestartIT).
            Instant since = c.lastSeenAt();
            captures.add(new OverallState.Capture(side, c.phase(), c.error(), since == null ? null : Duration.between(since, now), c.connected()));
        }
        var load = runtime.initialLoad();
        String loading = load == null || load.complete() ? null : load.activity() + (load.problem() == null ? "" : " (" + load.problem() + ")");
        Map<String, TableSummary> summaries = null;
        String reconcilerError = null;
        try {
            summaries = storeReads.read(() -> view().tables());
        } catch (InvalidStateStoreException e) {
            reconcilerError = e.getMessage();
        }
        SchemaDiff.Report structures = schema == null ? null : schema.latest();
        List<TableStatus> tables = new ArrayList<>();
        List<OverallState.Table> tableFacts = new ArrayList<>();
        long pending = 0;
        for (PlannedTable t : runtime.tables()) {
            String unverified = unverified(t, structures);
            TableSummary s = summaries == null || unverified != null ? null : summaries.getOrDefault(t.mappedId(), view().emptySummary(t.mappedId()));
            TableStatus ts = StatusDocuments.table(t, s, unverified);
            if (ts.divergentKeys() != null && ts.divergentKeys() > 0) {
                try {
                    ts = ts.withDivergence(summary(t.mappedId()).groups().stream().map(DivergenceDetail.GroupStatus::sentence).toList());
                } catch (InvalidStateStoreException e) {
                    // restoring: the sentences come back with the stores
                }
            }
            tables.add(ts.withColumns(columnNotes(t)));
            if (unverified != null) {
                tableFacts.add(OverallState.Table.unverified(t.mappedId(), unverified));
            } else if (s != null) {
                pending += s.pendingKeys();
                tableFacts.add(new OverallState.Table(t.mappedId(), null, true, s.pendingKeys(), s.divergentKeys(), s.chunksInSync() == s.chunks()));
            } else {
                tableFacts.add(new OverallState.Table(t.mappedId(), null, false, 0, 0, false));
            }
        }
        boolean beats = runtime.config().heartbeat().enabled();
        OverallState.Result state = OverallState.evaluate(new OverallState.Facts(captures, loading, reconcilerError, tableFacts,
                runtime.setupWarnings(), currency.reconcilerBehind(now), beats ? currency.freshness(Side.SOURCE, now) : null,
                beats ? currency.freshness(Side.TARGET, now) : null, beats, runtime.heartbeatError(), runtime.heartbeatTable()));
        Long oldestPending = null;
        try {
            oldestPending = summaries == null ? null : view().oldestPendingMillis(OLDEST_PENDING_SCAN);
        } catch (InvalidStateStoreException e) {
            // a task restoring between the two reads: the state above already says so
        }
        ReconcilerProgress progress = runtime.progress();
        Map<String, Status.ServerSettings> settings = new LinkedHashMap<>();
        Databases dbs = runtime.databases();
        if (dbs != null) {
            dbs.settings().forEach((side, values) -> settings.put(side.label(), new Status.ServerSettings(dbs.engines().get(side).name(), values)));
        }
        Status status = new Status(state.state().name(), replicationLag(now), runtime.verdictMode(), runtime.baselineMethod(), pending,
                progress == null || progress.backlog() < 0 ? null : progress.backlog(),
                oldestPending == null ? null : seconds((now.toEpochMilli() - oldestPending) * 1000),
                new Status.Sides(sides[0], sides[1]), tables, settings,
                (dbs == null ? List.<dev.parity.ingest.engine.SettingDrift>of() : dbs.settingDrift()).stream().map(d -> new Status.SettingDriftStatus(d.setting(), d.source(), d.target(), d.dataRisk(), d.risk())).toList(),
                sweep(), schema(), state.reasons());
        return status;
    }

    private SweepStatus sweep() {
        Sweeper sw = sweeper;
        if (sw == null) {
            return null;
        }
        String disabled = sw.disabledReason();
        if (disabled != null) {
            return SweepStatus.off(disabled);
        }
        return new SweepStatus(true, null, sw.completedRounds(), sw.activity(), sw.lastRoundStartedAt(), sw.lastRoundFinishedAt(),
                sw.results().stream().map(r -> new SweepStatus.Table(r.table(), r.side().label(), r.round(), r.finishedAt(), r.rowsRead(),
                        r.rowsMatched(), r.observations(), r.absent(), r.problem())).toList(), sw.maxAge().toSeconds(),
                sw.fullReads().stream().map(f -> new SweepStatus.FullRead(f.table(), f.side().label(), f.at(), f.by(), f.rows(),
                        Duration.between(f.at(), clock.instant()).toSeconds())).toList(), sw.yielded().toSeconds());
    }

    private SchemaStatus schema() {
        SchemaWatch sc = schema;
        if (sc == null) {
            return null;
        }
        SchemaDiff.Report r = sc.latest();
        return new SchemaStatus(sc.checkedAt(), r == null ? null : r.drift(), r == null ? List.of() : r.differences().stream()
                .map(d -> new SchemaStatus.Difference(d.table(), d.aspect(), d.source(), d.target(), d.risk())).toList(),
                r == null ? List.of() : r.unwatched(runtime.tables()), sc.error());
    }

    /** One watched table by its mapped id; null when Parity does not watch it. */
    public TableStatus table(String name) {
        for (PlannedTable t : runtime.tables()) {
            if (t.mappedId().equals(name)) {
                String unverified = unverified(t, schema == null ? null : schema.latest());
                return StatusDocuments.table(t, unverified == null ? view().table(name) : null, unverified).withColumns(columnNotes(t));
            }
        }
        return null;
    }

    private List<ColumnNote> columnNotes(PlannedTable t) {
        Databases dbs = runtime.databases();
        return ColumnNote.of(t.mappedId(), runtime.config().tables().rules(t.mappedId()), sweeper == null ? List.of() : sweeper.results(),
                dbs == null ? Map.of() : dbs.engines());
    }

    /** Why a watched table is not verified now: planned so at start, or gone from a side since; null when it is. */
    private static String unverified(PlannedTable t, SchemaDiff.Report structures) {
        return !t.captured() ? t.problem() : structures == null ? null : structures.gone(t);
    }

    /** Mismatched keys, without row values (what alerts and status use). */
    public List<DivergenceStatus> divergences(String table, int limit) {
        return divergences(table, limit, false);
    }

    /** @param withToken the caller has the API token: row values shown as {@code drilldown.values} says */
    public List<DivergenceStatus> divergences(String table, int limit, boolean withToken) {
        long now = clock.millis();
        DivergenceDetail.Values values = DivergenceDetail.Values.of(withToken, runtime.config().drilldown());
        boolean byHeartbeats = runtime.config().heartbeat().enabled();
        return view().divergences(table, limit).stream().map(d -> StatusDocuments.divergence(d, now, runtime.drillDown(), values, byHeartbeats))
                .toList();
    }

    /**
     * Repair SQL for a table's DIVERGENT keys, or for the given keys (README, "Repair"): null when the
     * table is not watched. The table's schema differences go into the header: a narrower target column
     * must be widened before the values fit.
     */
    public dev.parity.ingest.repair.RepairScript.Result repair(String table, List<Map<String, Object>> keys) throws java.sql.SQLException {
        return repair(table, keys, dev.parity.ingest.repair.RepairScript.Via.TARGET);
    }

    /** {@link #repair(String, List)}, written for {@code via} (the source: README, "Repair"). */
    public dev.parity.ingest.repair.RepairScript.Result repair(String table, List<Map<String, Object>> keys, dev.parity.ingest.repair.RepairScript.Via via)
            throws java.sql.SQLException {
        var planned = runtime.verifiedTables().stream().filter(t -> t.mappedId().equals(table)).findFirst().orElse(null);
        if (planned == null) {
            return null;
        }
        List<Map<String, Object>> wanted = keys.isEmpty()
                ? view().divergences(table, SUMMARY_SCAN).stream().filter(d -> d.state() == dev.parity.reconciler.state.Verdict.DIVERGENT)
                        .map(DivergenceView::key).toList()
                : keys;
        SchemaDiff.Report structures = schema == null ? null : schema.latest();
        List<String> header = new ArrayList<>();
        if (structures != null) {
            structures.differences().stream().filter(d -> d.table().equals(table)).forEach(d -> header.add("schema: source " + d.source()
                    + ", target " + d.target() + (d.risk() == null ? "" : ": " + d.risk()) + " (fix the structure first where a value cannot fit)"));
        }
        return dev.parity.ingest.repair.RepairScript.build(runtime.databases(), planned, wanted, header, clock.instant(), via);
    }

    /**
     * One key of a table read from both databases now (README, "Which column, and why"): whether each side
     * has it, the differing columns, and how that compares with what the reconciler holds of the key.
     * Null when the table is not watched.
     */
    public Map<String, Object> diffNow(String table, Map<String, Object> key, boolean withToken) throws java.sql.SQLException {
        var planned = runtime.verifiedTables().stream().filter(t -> t.mappedId().equals(table)).findFirst().orElse(null);
        if (planned == null || runtime.drillDown() == null) {
            return null;
        }
        var read = runtime.drillDown().readNow(planned, key);
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("table", table);
        out.put("key", key);
        if (read == null) {
            out.put("onSource", false);
            out.put("onTarget", false);
            out.put("summary", "on neither side");
            return out;
        }
        out.put("onSource", read.sourceHash() != null);
        out.put("onTarget", read.targetHash() != null);
        out.put("columns", DivergenceDetail.columns(read.findings(), DivergenceDetail.Values.of(withToken, runtime.config().drilldown())));
        out.put("cause", read.sourceHash() == null ? "EXTRA_ON_TARGET" : read.targetHash() == null ? "MISSING_ON_TARGET"
                : dev.parity.reconciler.rules.ColumnDiff.rowCause(read.findings()));
        out.put("sourceHeartbeat", read.sourceSeq());
        out.put("targetHeartbeat", read.targetSeq());
        var state = view().key(read.rowKey());
        boolean asJudged = state != null && java.util.Objects.equals(state.hash(dev.parity.reconciler.model.Side.SOURCE), read.sourceHash())
                && java.util.Objects.equals(state.hash(dev.parity.reconciler.model.Side.TARGET), read.targetHash());
        out.put("asReconciled", asJudged);
        out.put("summary", asJudged ? "the rows are what the reconciler holds"
                : state == null ? "the reconciler holds no state for this key" : "the rows differ from what the reconciler holds: a change in flight, or one no log recorded");
        return out;
    }

    /** Mismatched keys scanned for a table's summary: bounded, so a flood of divergences cannot make it slow. */
    static final int SUMMARY_SCAN = 10_000;

    /** Divergence groups of one table, or of every table with divergent keys (table null). */
    public List<DivergenceDetail.Summary> summaries(String table) {
        SchemaDiff.Report structures = schema == null ? null : schema.latest();
        List<dev.parity.ingest.schema.SchemaDifference> differences = structures == null ? List.of() : structures.differences();
        var dbs = runtime.databases();
        List<dev.parity.ingest.engine.SettingDrift> settings = dbs == null ? List.of() : dbs.settingDrift();
        List<String> tables = table != null ? List.of(table)
                : view().tables().entrySet().stream().filter(e -> e.getValue().divergentKeys() > 0).map(Map.Entry::getKey).sorted().toList();
        List<DivergenceDetail.Summary> out = new ArrayList<>();
        for (String t : tables) {
            out.add(summary(t, settings, differences));
        }
        return out;
    }

    /** Summaries are asked for by status, alerts and the API each second: one per table and second is computed. */
    private final Map<String, Map.Entry<Instant, DivergenceDetail.Summary>> summaryCache = new java.util.concurrent.ConcurrentHashMap<>();

    private DivergenceDetail.Summary summary(String table) {
        var dbs = runtime.databases();
        SchemaDiff.Report structures = schema == null ? null : schema.latest();
        return summary(table, dbs == null ? List.of() : dbs.settingDrift(), structures == null ? List.of() : structures.differences());
    }

    private DivergenceDetail.Summary summary(String table, List<dev.parity.ingest.engine.SettingDrift> settings,
                                             List<dev.parity.ingest.schema.SchemaDifference> differences) {
        Instant now = clock.instant();
        var cached = summaryCache.get(table);
        if (cached != null && Duration.between(cached.getKey(), now).compareTo(Duration.ofSeconds(1)) < 0) {
            return cached.getValue();
        }
        DivergenceDetail.Summary s = DivergenceDetail.summary(table, view().divergences(table, SUMMARY_SCAN), runtime.drillDown(), settings,
                differences, runtime.config().heartbeat().enabled());
        summaryCache.put(table, Map.entry(now, s));
        return s;
    }

    /**
     * Parity's clock at arrival of a heartbeat through the target's stream minus its written time;
     * while the target is behind, the age of the oldest heartbeat it has not delivered (so a stall shows
     * as growing lag, not as the last good value). Null when unknown.
     */
    public Double replicationLag(Instant now) {
        HeartbeatWriter hb = runtime.heartbeat();
        if (hb == null) {
            return null;
        }
        List<Watermark> marks;
        try {
            marks = view().watermarks(Side.TARGET);
        } catch (InvalidStateStoreException e) {
            return null;
        }
        if (marks.isEmpty()) {
            return null;
        }
        long nowMicros = now.toEpochMilli() * 1000;
        double worst = 0;
        for (Watermark w : marks) {
            Long next = hb.writtenAt(w.seq() + 1);
            // The seed row (written_at_us 0, as the heartbeat table is created) was never written by Parity: no lag of its own.
            double arrival = w.writtenAtMicros() <= 0 ? 0 : seconds(w.arrivedAtMillis() * 1000 - w.writtenAtMicros());
            double lag = next != null ? Math.max(arrival, seconds(nowMicros - next)) : arrival;
            worst = Math.max(worst, Math.max(0, lag));
        }
        return worst;
    }

    static double seconds(long micros) {
        return Math.round(micros / 1000.0) / 1000.0;
    }
}
