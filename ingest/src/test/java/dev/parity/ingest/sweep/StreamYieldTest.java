package dev.parity.ingest.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StreamYieldTest {
    private static final long S = 1_000_000L; // micros

    /** A clock that moves only when the sweep waits, and records what the sweep said meanwhile. */
    private static final class Steps extends Clock implements TableSweep.Control {
        final AtomicLong nowMicros = new AtomicLong(1_000 * S);
        final List<String> said = new ArrayList<>();
        Runnable onWait = () -> { };
        boolean stopping;

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void activity(String what) {
            said.add(what);
        }

        @Override
        public void waitFor(Duration d) {
            nowMicros.addAndGet(d.toNanos() / 1_000);
            onWait.run();
        }

        @Override
        public Instant instant() {
            return Instant.EPOCH.plusNanos(nowMicros.get() * 1_000);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static NavigableMap<Long, Long> beats(long... secondsAgoFrom1000) {
        NavigableMap<Long, Long> m = new ConcurrentSkipListMap<>();
        long seq = 1;
        for (long ago : secondsAgoFrom1000) {
            m.put(seq++, (1_000 - ago) * S);
        }
        return m;
    }

    @Test
    void shouldNameTheNewestHeartbeatOldEnoughThatAReconcilerKeepingUpHasTaken() {
        NavigableMap<Long, Long> written = beats(10, 5, 3, 1); // seqs 1..4
        assertThat(StreamYield.due(written, 1_000 * S, 2 * S)).isEqualTo(3);
        assertThat(StreamYield.due(written, 1_000 * S, 5 * S)).isEqualTo(2);
        assertThat(StreamYield.due(written, 1_000 * S, 11 * S)).isEqualTo(-1);
        assertThat(StreamYield.due(new ConcurrentSkipListMap<>(), 1_000 * S, 2 * S)).isEqualTo(-1);
    }

    @Test
    void shouldReadOnAtOnceWhileTheSourceStreamIsCurrent() throws Exception {
        Steps steps = new Steps();
        List<Long> asked = new ArrayList<>();
        StreamYield yield = new StreamYield(() -> beats(10, 5, 3, 1), seq -> asked.add(seq), steps, Duration.ofSeconds(1));
        assertThat(yield.await(steps, "re-reading public.t on the source")).isFalse();
        assertThat(asked).as("asked whether heartbeat 3 (written 3 s ago) was taken: after seq 2").containsExactly(2L);
        assertThat(steps.said).isEmpty();
        assertThat(steps.nowMicros.get()).isEqualTo(1_000 * S);
        assertThat(yield.yielded()).isZero();
    }

    @Test
    void shouldWaitWhileParityIsBehindItsSourceStreamAndSaySo() throws Exception {
        Steps steps = new Steps();
        NavigableMap<Long, Long> written = beats(10, 5, 3, 1);
        AtomicLong reconciled = new AtomicLong(1); // the reconciler has taken heartbeat 1 only: 5 s behind
        steps.onWait = () -> {
            if (steps.nowMicros.get() >= 1_002 * S) {
                reconciled.set(4); // caught up two seconds later
            }
        };
        StreamYield yield = new StreamYield(() -> written, seq -> reconciled.get() > seq, steps, Duration.ofSeconds(1));
        assertThat(yield.await(steps, "re-reading public.t on the source")).isTrue();
        assertThat(steps.nowMicros.get()).isBetween(1_002 * S, 1_003 * S);
        assertThat(steps.said).isNotEmpty().allSatisfy(s -> assertThat(s)
                .startsWith("yielding to the change streams: Parity has not yet reconciled the source's heartbeat")
                .endsWith("re-reading public.t on the source resumes once it has"));
        assertThat(yield.yielded()).isPositive();
        assertThat(yield.await(steps, "again")).as("current now").isFalse();
    }

    @Test
    void shouldCountBehindInHeartbeatIntervalsWhenThreeOfThemAreLongerThanTwoSeconds() throws Exception {
        Steps steps = new Steps();
        // Heartbeats every 5 s: the one written 10 s ago is not due yet (behind is 15 s), the one 20 s ago is.
        // The reconciler has taken heartbeat 1, not 2 (passed(s): a heartbeat after s taken).
        StreamYield yield = new StreamYield(() -> beats(20, 10, 0), seq -> seq < 1, steps, Duration.ofSeconds(5));
        assertThat(yield.await(steps, "x")).as("heartbeat 2, 10 s old, need not be taken yet; heartbeat 1 was").isFalse();
        steps.onWait = () -> steps.stopping = true;
        StreamYield everySecond = new StreamYield(() -> beats(20, 10, 0), seq -> seq < 1, steps, Duration.ofSeconds(1));
        assertThat(everySecond.await(steps, "x")).as("with heartbeats every second, heartbeat 2 is overdue").isTrue();
        steps.stopping = false;
        StreamYield behind = new StreamYield(() -> beats(20, 10, 0), seq -> false, steps, Duration.ofSeconds(5));
        assertThat(behind.await(steps, "x")).as("heartbeat 1, 20 s old, not taken").isTrue();
    }

    @Test
    void shouldStopYieldingWhenTheSweepStops() throws Exception {
        Steps steps = new Steps();
        steps.stopping = true;
        StreamYield yield = new StreamYield(() -> beats(10, 5), seq -> false, steps, Duration.ofSeconds(1));
        assertThat(yield.await(steps, "x")).isFalse();
        assertThat(steps.said).isEmpty();
    }
}
