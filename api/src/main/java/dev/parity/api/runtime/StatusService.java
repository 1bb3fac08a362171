package dev.parity.api.runtime;

import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.query.StoreAccess;
import dev.parity.reconciler.query.TableSummary;
import dev.parity.reconciler.state.Watermark;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Builds the API's answers. Fail-safe: the overall state is IN_SYNC only when both captures stream,
 * every watched table is captured, and every chunk of every table agrees; anything unknown is not in sync.
 */
public final class StatusService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StatusService.class);
    /** A side with no event for this long is STALE (heartbeats arrive every interval). */
    static final Duration STALE_AFTER = Duration.ofSeconds(30);
    /**
     * Pending keys examined, earliest due first, to find the longest-waiting one: exact while fewer are
     * pending. Each costs a key-state read, and status runs every second (the monitor): at 10,000 this
     * scan took most of the status time under a write-ceiling load (BENCHMARKS.md, steady state).
     */
    static final int OLDEST_PENDING_SCAN = 1_000;

    private final ParityRuntime runtime;
    private final Clock clock;
    private final ReconcilerView view;
    private final ViewCurrency currency;

    public StatusService(ParityRuntime runtime, Clock clock) {
        this.runtime = runtime;
        this.clock = clock;
        this.view = new ReconcilerView(new StoreAccess() {
            @Override
            public <V> ReadOnlyKeyValueStore<Bytes, V> store(String name) {
                KafkaStreams s = runtime.streams();
                if (s == null) {
                    throw new InvalidStateStoreException("reconciler not started");
                }
                return s.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<Bytes, V>keyValueStore()));
            }
        }, runtime.chunking());
        this.currency = new ViewCurrency(runtime, view);
    }

    private volatile Sweeper sweeper;

    /** Includes the verification sweep's progress in status. */
    public void attach(Sweeper sweeper) {
        this.sweeper = sweeper;
    }

    private volatile SchemaWatch schema;

    /** Includes live schema drift in status. */
    public void attach(SchemaWatch schema) {
        this.schema = schema;
    }

    /** The verification sweep, once attached; null before. */
    public Sweeper sweeper() {
        return sweeper;
    }

    public ReconcilerView view() {
        return view;
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

    public Map<String, Object> status() {
        Instant now = clock.instant();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> sides = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        boolean stale = false;
        boolean snapshotting = false;
        for (Side side : Side.values()) {
            CaptureStatus c = runtime.capture(side);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("phase", c.phase() == CaptureStatus.Phase.STARTING ? "SNAPSHOTTING" : c.phase().name());
            s.put("lastEventAt", c.lastEventAt() == null ? null : c.lastEventAt().toString());
            s.put("captureLagSeconds", c.lastCommitMicros() < 0 ? null : seconds(now.toEpochMilli() * 1000 - c.lastCommitMicros()));
            s.put("events", c.events());
            if (c.error() != null) {
                s.put("error", c.error());
            }
            Map<String, Object> snapshot = SnapshotProgress.of(runtime, side, c, now);
            if (snapshot != null) {
                s.put("snapshot", snapshot);
            }
            sides.put(side.label(), s);
            if (c.phase() == CaptureStatus.Phase.STOPPED) {
                stale = true;
                reasons.add(side.label() + " capture stopped" + (c.error() == null ? "" : ": " + c.error()));
            } else if (c.phase() != CaptureStatus.Phase.STREAMING) {
                snapshotting = true;
            } else if (c.lastSeenAt() == null || Duration.between(c.lastSeenAt(), now).compareTo(STALE_AFTER) > 0) {
                stale = true;
                reasons.add(side.label() + " capture has delivered nothing for over " + STALE_AFTER.toSeconds() + " s");
            }
        }
        InitialLoad load = runtime.initialLoad();
        if (load != null && !load.complete()) {
            snapshotting = true;
            reasons.add("initial load by Parity: " + load.activity() + (load.problem() == null ? "" : " (" + load.problem() + ")"));
        }
        Map<String, TableSummary> summaries;
        try {
            summaries = view.tables();
        } catch (InvalidStateStoreException e) {
            summaries = null;
            stale = true;
            reasons.add("reconciler not ready: " + e.getMessage());
        }
        List<Map<String, Object>> tables = new ArrayList<>();
        long pending = 0;
        long divergent = 0;
        boolean allChunksInSync = true;
        for (PlannedTable t : runtime.tables()) {
            TableSummary s = summaries == null ? null : summaries.getOrDefault(t.mappedId(), view.emptySummary(t.mappedId()));
            tables.add(StatusDocuments.table(t, s));
            if (!t.captured()) {
                reasons.add(t.mappedId() + " not verified: " + t.problem());
            } else if (s != null) {
                pending += s.pendingKeys();
                divergent += s.divergentKeys();
                allChunksInSync &= s.chunksInSync() == s.chunks();
            }
        }
        reasons.addAll(runtime.setupWarnings());
        boolean unverified = runtime.tables().stream().anyMatch(t -> !t.captured());
        boolean catchingUp = false;
        if (!stale && !snapshotting) {
            String behind = currency.reconcilerBehind(now);
            if (behind != null) {
                catchingUp = true;
                reasons.add(behind);
            }
        }
        if (runtime.heartbeat() != null && summaries != null && !stale && !snapshotting) {
            for (Side side : Side.values()) {
                ViewCurrency.Freshness f = currency.freshness(side, now);
                if (f == ViewCurrency.Freshness.STALE) {
                    stale = true;
                    reasons.add("the reconciler has processed no heartbeat of the " + side.label() + " stream written in the last "
                            + STALE_AFTER.toSeconds() + " s");
                } else if (f == ViewCurrency.Freshness.CATCHING_UP) {
                    catchingUp = true;
                    reasons.add("the reconciler has not yet processed, on every partition, a heartbeat of the " + side.label()
                            + " stream written since Parity started" + (side == Side.TARGET
                            ? " (is " + runtime.heartbeatTable() + " replicated to the target?)" : ""));
                }
            }
        }
        String state;
        if (stale) {
            state = "STALE";
        } else if (snapshotting) {
            state = "SNAPSHOTTING";
        } else if (divergent > 0) {
            state = "DIVERGENT";
        } else if (pending > 0 || !allChunksInSync || catchingUp) {
            state = "PENDING";
        } else if (unverified) {
            state = "UNVERIFIED";
        } else {
            state = "IN_SYNC";
        }
        out.put("state", state);
        out.put("replicationLagSeconds", replicationLag(now));
        out.put("verdicts", runtime.verdictMode());
        out.put("baseline", runtime.baselineMethod());
        if (runtime.heartbeatError() != null && runtime.config().heartbeat().enabled()) {
            reasons.add(runtime.heartbeatError());
        }
        Long oldestPending = summaries == null ? null : view.oldestPendingMillis(OLDEST_PENDING_SCAN);
        out.put("pendingKeys", pending);
        ReconcilerProgress progress = runtime.progress();
        out.put("reconcilerBacklog", progress == null || progress.backlog() < 0 ? null : progress.backlog());
        out.put("oldestPendingSeconds", oldestPending == null ? null : seconds((now.toEpochMilli() - oldestPending) * 1000));
        out.put("sides", sides);
        out.put("tables", tables);
        Map<String, Object> settings = new LinkedHashMap<>();
        runtime.settings().forEach((side, values) -> settings.put(side.label(),
                Map.of("engine", runtime.engines().get(side).name(), "values", values)));
        out.put("settings", settings);
        out.put("settingDrift", runtime.settingDrift().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("setting", d.setting());
            m.put("source", d.source());
            m.put("target", d.target());
            m.put("dataRisk", d.dataRisk());
            m.put("risk", d.risk());
            return m;
        }).toList());
        Sweeper sw = sweeper;
        if (sw != null) {
            out.put("verification", sw.status());
        }
        SchemaWatch sc = schema;
        if (sc != null) {
            out.put("schema", sc.status());
        }
        out.put("reasons", reasons);
        return out;
    }

    public Map<String, Object> table(String name) {
        for (PlannedTable t : runtime.tables()) {
            if (t.mappedId().equals(name)) {
                return StatusDocuments.table(t, t.captured() ? view.table(name) : null);
            }
        }
        return null;
    }

    public List<Map<String, Object>> divergences(String table, int limit) {
        long now = clock.millis();
        return view.divergences(table, limit).stream().map(d -> StatusDocuments.divergence(d, now)).toList();
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
            marks = view.watermarks(Side.TARGET);
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
            double arrival = seconds(w.arrivedAtMillis() * 1000 - w.writtenAtMicros());
            double lag = next != null ? Math.max(arrival, seconds(nowMicros - next)) : arrival;
            worst = Math.max(worst, Math.max(0, lag));
        }
        return worst;
    }

    static double seconds(long micros) {
        return Math.round(micros / 1000.0) / 1000.0;
    }
}
