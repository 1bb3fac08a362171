package dev.parity.api.status;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.load.InitialLoad;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.reconciler.model.Side;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code snapshot} part of a side in {@code GET /api/v1/status}. */
final class SnapshotProgress {
    private SnapshotProgress() {
    }

    /**
     * Snapshot progress of one side: rows read per captured table (the connector's count, or Parity's
     * load) against the database's own row estimate, and while it runs an ETA at the rate so far. Null
     * when no snapshot ran. Estimates are the planner's (reltuples, TABLE_ROWS), so percentages are approximate.
     */
    static SnapshotStatus of(ParityRuntime runtime, Side side, CaptureStatus c, Instant now) {
        InitialLoad load = runtime.initialLoad();
        // Where Parity loads some tables and the connector snapshots the others, both count.
        Map<String, Long> done = new HashMap<>(c.snapshotRows());
        if (load != null) {
            done.putAll(load.rowsDone(side));
        }
        boolean running = (load != null && !load.complete()) || c.phase() == CapturePhase.SNAPSHOTTING;
        Instant started = load != null && load.startedAt() != null ? load.startedAt() : c.snapshotStartedAt();
        if (done.isEmpty() && !running) {
            return null;
        }
        Map<String, Long> estimates = runtime.databases() == null ? Map.of() : runtime.databases().of(side).estimatedRows();
        Map<String, Long> resumed = load == null ? Map.of() : load.rowsResumed(side);
        long rowsDone = 0;
        long rowsEstimated = 0;
        long rowsResumed = 0;
        List<SnapshotStatus.Table> tables = new ArrayList<>();
        for (PlannedTable t : runtime.verifiedTables()) {
            String name = t.name(side);
            long d = done.getOrDefault(name, 0L);
            Long e = estimates.get(name);
            Long r = resumed.get(name);
            rowsDone += d;
            rowsResumed += r == null ? 0 : r;
            rowsEstimated += e == null ? 0 : Math.max(e, d);
            tables.add(new SnapshotStatus.Table(t.mappedId(), d, e, r));
        }
        Double percent = rowsEstimated == 0 ? null : Math.min(100.0, Math.round(1000.0 * rowsDone / rowsEstimated) / 10.0);
        Double eta = null;
        long readNow = rowsDone - rowsResumed; // the rate is this run's
        if (running && started != null && readNow > 0 && rowsEstimated > rowsDone) {
            double elapsed = Math.max(0.001, Duration.between(started, now).toMillis() / 1000.0);
            eta = Math.round(10 * (rowsEstimated - rowsDone) / (readNow / elapsed)) / 10.0;
        }
        return new SnapshotStatus(load != null ? "PARITY" : "DEBEZIUM", running, load == null ? null : load.activity(),
                load == null ? null : load.problem(), rowsDone, rowsEstimated, percent, eta, tables);
    }
}
