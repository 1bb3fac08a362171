package dev.parity.reconciler.query;

import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.Verdict;
import java.util.Map;

/**
 * One mismatched key as the API shows it.
 *
 * @param firstSeenMillis wall-clock time the key was first seen mismatched
 * @param sourcePosition  log position of the source's last change of the key; null if never captured there
 * @param sourceProvenance how the source's value was learnt; null if never captured there
 * @param rowKey          the canonical key, to look the key up again (drill-down)
 * @param keyState        both sides' state as judged
 */
public record DivergenceView(String table, int chunk, Map<String, Object> key, Verdict state, Kind kind,
                             long firstSeenMillis, String sourcePosition, String targetPosition,
                             Provenance sourceProvenance, Provenance targetProvenance, byte[] rowKey, KeyState keyState) {
    public enum Kind { MISMATCH, MISSING_ON_TARGET, EXTRA_ON_TARGET }

    public DivergenceView {
        key = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(key)); // a keyless row's key holds NULLs
    }

    /**
     * How the difference was found: a re-read on either side wins (a write no log recorded), then the
     * initial load (a difference older than Parity), else the change streams.
     */
    public Provenance detectedBy() {
        if (rereadSide() != null) {
            return Provenance.REREAD;
        }
        return sourceProvenance == Provenance.INITIAL_LOAD || targetProvenance == Provenance.INITIAL_LOAD ? Provenance.INITIAL_LOAD
                : Provenance.CHANGE_STREAM;
    }

    /** Where the difference came from (see {@link dev.parity.reconciler.rules.Origin}). */
    public dev.parity.reconciler.rules.Origin origin() {
        return dev.parity.reconciler.rules.Origin.of(keyState.source(), keyState.target());
    }

    /**
     * Copies of the row each side holds, for a table without key (its key is the whole row), as in
     * "3 copies on the source, 2 on the target"; null for a keyed row.
     */
    public Long copies(Side side) {
        return rowKey == null || !dev.parity.reconciler.canonical.CanonicalReader.isContentKey(rowKey) ? null
                : dev.parity.reconciler.model.RowHashing.copiesOf(rowKey, keyState.hash(side));
    }

    /** The side whose value a re-read found (the source first); null when neither was. */
    public Side rereadSide() {
        return sourceProvenance == Provenance.REREAD ? Side.SOURCE : targetProvenance == Provenance.REREAD ? Side.TARGET : null;
    }
}
