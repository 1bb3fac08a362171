package dev.parity.api.runtime;

import dev.parity.ingest.CaptureStatus;
import dev.parity.reconciler.model.Side;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code snapshot} part of a side in {@code GET /api/v1/status}. */
final class SnapshotProgress {
    private SnapshotProgress() {
    }

    /**
     * Snapshot progress of one side: rows read per captured table (the connector's count) against the
     * database's own row estimate, and while it runs an ETA at the rate so far. Null when no snapshot
     * ran. Estimates are the planner's (reltuples, TABLE_ROWS), so percentages are approximate.
     */
    static Map<String, Object> of(ParityRuntime runtime, Side side, CaptureStatus c, Instant now) {
        InitialLoad load = runtime.initialLoad();
        // Where Parity loads some tables and the connector snapshots the others, both count.
        Map<String, Long> done = new java.util.HashMap<>(c.snapshotRows());
        if (load != null) {
            done.putAll(load.rowsDone(side));
        }
        boolean running = (load != null && !load.complete()) || c.phase() == CaptureStatus.Phase.SNAPSHOTTING;
        Instant started = load != null && load.startedAt() != null ? load.startedAt() : c.snapshotStartedAt();
        if (done.isEmpty() && !running) {
            return null;
        }
        SideSetup setup = runtime.side(side);
        Map<String, Long> estimates = setup == null ? Map.of() : setup.estimatedRows();
        long rowsDone = 0;
        long rowsEstimated = 0;
        List<Map<String, Object>> tables = new ArrayList<>();
        for (PlannedTable t : runtime.tables()) {
            if (!t.captured()) {
                continue;
            }
            String name = t.name(side);
            long d = done.getOrDefault(name, 0L);
            Long e = estimates.get(name);
            rowsDone += d;
            rowsEstimated += e == null ? 0 : Math.max(e, d);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", t.mappedId());
            m.put("rowsDone", d);
            m.put("rowsEstimated", e);
            tables.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("method", load != null ? "PARITY" : "DEBEZIUM");
        out.put("running", running);
        if (load != null) {
            out.put("activity", load.activity());
            out.put("problem", load.problem());
        }
        out.put("rowsDone", rowsDone);
        out.put("rowsEstimated", rowsEstimated);
        out.put("percent", rowsEstimated == 0 ? null : Math.min(100.0, Math.round(1000.0 * rowsDone / rowsEstimated) / 10.0));
        Double eta = null;
        if (running && started != null && rowsDone > 0 && rowsEstimated > rowsDone) {
            double elapsed = Math.max(0.001, java.time.Duration.between(started, now).toMillis() / 1000.0);
            eta = Math.round(10 * (rowsEstimated - rowsDone) / (rowsDone / elapsed)) / 10.0;
        }
        out.put("etaSeconds", eta);
        out.put("tables", tables);
        return out;
    }
}
