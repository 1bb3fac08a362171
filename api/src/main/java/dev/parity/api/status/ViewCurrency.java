package dev.parity.api.status;

import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.runtime.ReconcilerProgress;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.rules.HeartbeatProgress;
import dev.parity.reconciler.rules.OverallState;
import java.time.Duration;
import java.time.Instant;

/**
 * Gathers the facts of whether what the reconciler has seen is current enough to call anything IN_SYNC:
 * it must have consumed what the captures produced since they began streaming, and (with heartbeats)
 * processed on every partition a heartbeat written since this process started or last recovered from a
 * fault. The rules are {@link HeartbeatProgress#freshness} and {@link OverallState}; this reads the facts.
 */
final class ViewCurrency {
    /** Most the reconciler may trail the captures and still call what it has seen current. */
    static final Duration MAX_RECONCILER_DELAY = Duration.ofSeconds(10);

    private final ParityRuntime runtime;

    ViewCurrency(ParityRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Why the reconciler's view is not current, or null when it is: it must have reconciled everything
     * captured up to a moment after both captures began streaming, and no longer than a few seconds ago.
     */
    String reconcilerBehind(Instant now) {
        ReconcilerProgress p = runtime.progress();
        Instant through = p == null ? null : p.reconciledThrough();
        Instant streaming = null;
        for (Side side : Side.values()) {
            Instant since = runtime.capture(side).streamingSince();
            if (since == null) {
                streaming = null;
                break;
            }
            streaming = streaming == null || since.isAfter(streaming) ? since : streaming;
        }
        if (through == null || streaming == null || through.isBefore(streaming)) {
            return "the reconciler is still processing what was captured so far" + (p == null || p.backlog() < 0 ? "" : " (" + p.backlog() + " records)");
        }
        if (Duration.between(through, now).compareTo(MAX_RECONCILER_DELAY) > 0) {
            return "the reconciler is " + Duration.between(through, now).toSeconds() + " s behind the captures (" + p.backlog() + " records)";
        }
        return null;
    }

    /** How current the view of one side's stream is; null when the reconciler cannot be asked. */
    HeartbeatProgress.Freshness freshness(Side side, Instant now) {
        try {
            Instant since = runtime.faultClearedAt();
            return HeartbeatProgress.freshness(runtime.view().watermarks(side), runtime.partitions(), side == Side.SOURCE,
                    micros(since), micros(now), OverallState.STALE_AFTER.toMillis() * 1000);
        } catch (RuntimeException e) {
            return null; // stores not queryable (start-up, rebalance): not fresh
        }
    }

    private static long micros(Instant i) {
        return i == null ? Long.MAX_VALUE : i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }
}
