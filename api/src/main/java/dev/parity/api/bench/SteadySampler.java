package dev.parity.api.bench;

import dev.parity.api.app.Parity;
import dev.parity.api.status.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Samples Parity's replication lag and reconciler backlog while a workload runs, for the steady-state figures. */
public final class SteadySampler {
    private final List<Double> lags = new ArrayList<>();
    private final List<Long> backlogs = new ArrayList<>();

    /** Takes one sample from status. */
    public void sample(Parity p) {
        Status s = p.status().status();
        if (s.replicationLagSeconds() != null) {
            lags.add(s.replicationLagSeconds());
        }
        if (s.reconcilerBacklog() != null) {
            backlogs.add(s.reconcilerBacklog());
        }
    }

    /** Lag percentiles, and the backlog's average in the first and the last third (a growing backlog means falling behind). */
    public String summary() {
        List<Double> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        int third = Math.max(1, backlogs.size() / 3);
        double early = backlogs.stream().limit(third).mapToLong(Long::longValue).average().orElse(0);
        double late = backlogs.stream().skip(Math.max(0, backlogs.size() - third)).mapToLong(Long::longValue).average().orElse(0);
        return String.format("  replication lag as Parity measures it: p50 %.2f s, p99 %.2f s, max %.2f s (%d samples)%n"
                        + "  reconciler backlog: %.0f records on average in the first third, %.0f in the last third", pct(sorted, 0.5),
                pct(sorted, 0.99), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1), sorted.size(), early, late);
    }

    private static double pct(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
