package dev.parity.reconciler.query;

import dev.parity.reconciler.state.Verdict;
import java.util.Map;

/**
 * One mismatched key as the API shows it.
 *
 * @param firstSeenMillis wall-clock time the key was first seen mismatched
 * @param sourcePosition  log position of the source's last change of the key; null if never captured there
 */
public record DivergenceView(String table, int chunk, Map<String, Object> key, Verdict state, Kind kind,
                             long firstSeenMillis, String sourcePosition, String targetPosition) {
    public enum Kind { MISMATCH, MISSING_ON_TARGET, EXTRA_ON_TARGET }

    public DivergenceView {
        key = Map.copyOf(key);
    }
}
