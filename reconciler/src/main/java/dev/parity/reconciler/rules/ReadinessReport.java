package dev.parity.reconciler.rules;

import java.util.List;
import java.util.Map;

/**
 * The answer to "safe to flip?", kept as the cutover's audit record.
 *
 * @param ready   {@link ReadinessChecks#ready} over {@code checks}
 * @param decided false when Parity could not decide (the fence never came back, a database was unreadable)
 * @param fence   seq, id, written/arrived times and the measured lag at the flip
 */
public record ReadinessReport(boolean ready, boolean decided, String at, Map<String, Object> fence, List<Check> checks) {
    public ReadinessReport {
        fence = Map.copyOf(fence);
        checks = List.copyOf(checks);
    }
}
