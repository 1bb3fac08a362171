package dev.parity.api.status;

import dev.parity.ingest.side.PlannedTable;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.query.TableSummary;
import dev.parity.reconciler.state.Provenance;
import java.time.Instant;
import java.util.List;

/** The API's records built from the core's views (README, "CLI and HTTP API"): fields may be added, never renamed. */
final class StatusDocuments {
    private StatusDocuments() {
    }

    /**
     * One watched table.
     *
     * @param s          null when the reconciler cannot be asked
     * @param unverified why it is not verified (planned so, or gone since start); null when it is
     */
    static TableStatus table(PlannedTable t, TableSummary s, String unverified) {
        if (unverified != null) {
            return new TableStatus(t.mappedId(), t.sourceName(), t.targetName(), t.key(), false, "UNVERIFIED", unverified,
                    null, null, null, null, null, null, null, null, null, null, null);
        }
        if (s == null) {
            return new TableStatus(t.mappedId(), t.sourceName(), t.targetName(), t.key(), true, "UNKNOWN", null,
                    null, null, null, null, null, null, null, null, null, null, null);
        }
        return new TableStatus(t.mappedId(), t.sourceName(), t.targetName(), t.key(), true, s.verdict().name(), null,
                s.source().count(), s.target().count(), s.source().sum().toHex(), s.target().sum().toHex(), s.chunks(), s.chunksInSync(),
                s.pendingChunks(), s.divergentChunks(), s.pendingKeys(), s.divergentKeys(), s.transientMismatches());
    }

    /** One mismatched key; where it came from read off the state's provenance. */
    static DivergenceStatus divergence(DivergenceView d, long nowMillis, dev.parity.ingest.drill.DrillDown drill, DivergenceDetail.Values values,
                                       boolean byHeartbeats) {
        Provenance by = d.detectedBy();
        String cause = null;
        if (by == Provenance.INITIAL_LOAD) {
            cause = "the sides already differed when Parity read its baseline: drift from before Parity started watching";
        } else if (by == Provenance.REREAD) {
            Side side = d.rereadSide();
            cause = "the " + side.label() + "'s row differs from every change its log recorded: a write made with logging off"
                    + " (MySQL/MariaDB SET sql_log_bin = 0), rows an ALTER TABLE rewrote in place, or a TRUNCATE";
        }
        dev.parity.ingest.drill.DrillDown.Result r = drill == null ? null : drill.result(d);
        List<DivergenceDetail.ColumnStatus> columns = null;
        String rowCause = null;
        String pending = null;
        if (d.kind() != DivergenceView.Kind.MISMATCH) {
            rowCause = d.kind().name();
        } else if (r != null && r.problem() == null) {
            columns = DivergenceDetail.columns(r.findings(), values);
            rowCause = dev.parity.reconciler.rules.ColumnDiff.rowCause(r.findings());
        } else if (d.state() == dev.parity.reconciler.state.Verdict.DIVERGENT) {
            pending = drill == null ? "drilldown.enabled is false" : r == null ? DivergenceStatus.NOT_READ_YET : r.problem();
        }
        if (d.copies(Side.SOURCE) != null) { // a table without key: the row is its key, the copies its value
            pending = null;
            columns = null;
        }
        return new DivergenceStatus(d.table(), d.chunk(), DivergenceDetail.shownKey(d, values), d.state().name(), d.kind().name(),
                Instant.ofEpochMilli(d.firstSeenMillis()), StatusService.seconds((nowMillis - d.firstSeenMillis()) * 1000), d.sourcePosition(),
                d.targetPosition(), by.name(), cause, byHeartbeats ? d.origin().name() : null, columns, rowCause, pending,
                d.copies(Side.SOURCE), d.copies(Side.TARGET));
    }
}
