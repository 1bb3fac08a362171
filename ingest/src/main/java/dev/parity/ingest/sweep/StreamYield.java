package dev.parity.ingest.sweep;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

/**
 * The sweep yields to the change streams (README, "Writes no log records: the verification sweep"): it reads no page
 * while Parity's own processing is behind, so its reads and hashing never take the CPU the streams need to catch up.
 *
 * <p>Behind means: the reconciler has not yet taken, from the source's stream, a heartbeat Parity wrote more than
 * {@link #behind} ago. The source's stream is the one measure of Parity alone — its capture of the source and its
 * reconciler — since the target's stream also waits for replication, and replication lag is the user's to see,
 * not a reason to stop looking for unlogged writes. While Parity lags, its gate says NOT READY for the lag anyway;
 * the time yielded shows in the re-read ages the gate's {@code reread} check judges, and in status.
 */
final class StreamYield {
    /** The least lag that counts as behind: the reconciler takes a heartbeat within moments when it keeps up. */
    static final Duration BEHIND_MIN = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(250);

    private final Supplier<NavigableMap<Long, Long>> written;
    private final LongPredicate sourcePassed;
    private final Clock clock;
    private final Duration behind;
    private final AtomicLong yieldedNanos = new AtomicLong();

    /**
     * @param written       the heartbeats written to the source, seq → written-at micros, oldest first
     * @param sourcePassed  whether the reconciler has taken a source heartbeat after the given seq on every partition
     * @param heartbeatInterval how often heartbeats are written: behind is at least three of them
     */
    StreamYield(Supplier<NavigableMap<Long, Long>> written, LongPredicate sourcePassed, Clock clock, Duration heartbeatInterval) {
        this.written = written;
        this.sourcePassed = sourcePassed;
        this.clock = clock;
        Duration three = heartbeatInterval.multipliedBy(3);
        this.behind = three.compareTo(BEHIND_MIN) > 0 ? three : BEHIND_MIN;
    }

    /**
     * The newest heartbeat written at least {@code behindMicros} before {@code nowMicros}: the one a reconciler that keeps
     * up has taken; -1 when none is that old.
     */
    static long due(NavigableMap<Long, Long> written, long nowMicros, long behindMicros) {
        long cutoff = nowMicros - behindMicros;
        for (Map.Entry<Long, Long> e : written.descendingMap().entrySet()) {
            if (e.getValue() <= cutoff) {
                return e.getKey();
            }
        }
        return -1;
    }

    /**
     * Waits while Parity is behind (see the class), saying so through {@code control}; returns at once when it is not.
     *
     * @param resumes what waits, for the status line ("re-reading shop.orders on the target")
     * @return whether it waited (a read budget then starts afresh rather than read the waited time in a burst)
     */
    boolean await(TableSweep.Control control, String resumes) throws InterruptedException {
        long start = System.nanoTime();
        boolean waited = false;
        while (!control.stopping()) {
            Instant now = clock.instant();
            long seq = due(written.get(), micros(now), behind.toNanos() / 1_000L);
            if (seq < 0 || sourcePassed.test(seq - 1)) {
                break;
            }
            control.activity("yielding to the change streams: Parity has not yet reconciled the source's heartbeat " + seq
                    + ", written over " + behind.toSeconds() + " s ago; " + resumes + " resumes once it has");
            control.waitFor(POLL);
            waited = true;
        }
        if (waited) {
            yieldedNanos.addAndGet(System.nanoTime() - start);
        }
        return waited;
    }

    /** The time the sweep has spent yielding since Parity started. */
    Duration yielded() {
        return Duration.ofNanos(yieldedNanos.get());
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }
}
