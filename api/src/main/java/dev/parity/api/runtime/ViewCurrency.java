package dev.parity.api.runtime;

import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.state.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Whether what the reconciler has seen is current enough to call anything IN_SYNC: it must have
 * consumed what the captures produced since they began streaming, and (with heartbeats) processed on
 * every partition a heartbeat written since this process started and, on the source stream, recently.
 */
final class ViewCurrency {
    private final ParityRuntime runtime;
    private final ReconcilerView view;

    ViewCurrency(ParityRuntime runtime, ReconcilerView view) {
        this.runtime = runtime;
        this.view = view;
    }

    /** Most the reconciler may trail the captures and still call what it has seen current. */
    static final Duration MAX_RECONCILER_DELAY = Duration.ofSeconds(10);

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
            streaming = since == null ? null : streaming == null || since.isAfter(streaming) ? since : streaming;
            if (since == null) {
                break;
            }
        }
        if (through == null || streaming == null || through.isBefore(streaming)) {
            return "the reconciler is still processing what was captured so far" + (p == null || p.backlog() < 0 ? "" : " (" + p.backlog() + " events)");
        }
        if (Duration.between(through, now).compareTo(MAX_RECONCILER_DELAY) > 0) {
            return "the reconciler is " + Duration.between(through, now).toSeconds() + " s behind the captures (" + p.backlog() + " events)";
        }
        return null;
    }

    enum Freshness { FRESH, CATCHING_UP, STALE }

    /**
     * Whether the reconciler's view of one side is current. Until every partition has processed a
     * heartbeat written by this process, state restored from before a restart may predate changes made
     * meanwhile. The source stream carries heartbeats within seconds, so an old one there means the
     * reconciler or capture is stuck; an old one on the target stream is replication lag, shown as such.
     */
    Freshness freshness(Side side, Instant now) {
        List<Watermark> marks = view.watermarks(side);
        long startMicros = runtime.startedAt().toEpochMilli() * 1000;
        if (marks.size() < runtime.partitions() || marks.stream().anyMatch(w -> w.writtenAtMicros() < startMicros)) {
            return Freshness.CATCHING_UP;
        }
        long oldest = marks.stream().mapToLong(Watermark::writtenAtMicros).min().orElse(0);
        return side == Side.SOURCE && now.toEpochMilli() * 1000 - oldest > StatusService.STALE_AFTER.toMillis() * 1000 ? Freshness.STALE : Freshness.FRESH;
    }

}
