package dev.parity.reconciler.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.rules.HeartbeatProgress.Freshness;
import dev.parity.reconciler.state.Watermark;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatProgressTest {
    private static Watermark at(long seq, long writtenAtMicros) {
        return Watermark.first(seq, writtenAtMicros, 0);
    }

    @Test
    void shouldPassOnlyWhenEveryPartitionDeliveredALaterHeartbeat() {
        List<Watermark> marks = List.of(at(5, 0), at(7, 0));
        assertThat(HeartbeatProgress.passed(marks, 2, 4)).isTrue();
        assertThat(HeartbeatProgress.passed(marks, 2, 5)).as("one partition is at 5, not past it").isFalse();
        assertThat(HeartbeatProgress.reached(marks, 2, 5)).isTrue();
        assertThat(HeartbeatProgress.reached(marks, 2, 6)).isFalse();
    }

    @Test
    void shouldNeverPassWhileAPartitionHasNoWatermark() {
        assertThat(HeartbeatProgress.passed(List.of(at(9, 0)), 2, 1)).isFalse();
        assertThat(HeartbeatProgress.passed(List.of(), 1, -1)).isFalse();
        assertThat(HeartbeatProgress.passed((Watermark) null, -1)).isFalse();
    }

    @Test
    void shouldNeverPassWhenThePartitionCountIsNotKnown() {
        assertThat(HeartbeatProgress.passed(List.of(), 0, -1)).as("zero partitions: nothing passed").isFalse();
        assertThat(HeartbeatProgress.freshness(List.of(), 0, true, 0, 0, 1)).isEqualTo(Freshness.CATCHING_UP);
    }

    @Test
    void shouldCatchUpUntilEveryPartitionHasAHeartbeatWrittenSinceTheLastFault() {
        long since = 1_000;
        assertThat(HeartbeatProgress.freshness(List.of(at(3, 999), at(4, 1_500)), 2, false, since, 2_000, 30_000_000))
                .isEqualTo(Freshness.CATCHING_UP);
        assertThat(HeartbeatProgress.freshness(List.of(at(3, 1_000), at(4, 1_500)), 2, false, since, 2_000, 30_000_000))
                .isEqualTo(Freshness.FRESH);
    }

    @Test
    void shouldCallAnOldSourceHeartbeatStaleButAnOldTargetOneLag() {
        List<Watermark> old = List.of(at(3, 1_000));
        assertThat(HeartbeatProgress.freshness(old, 1, true, 0, 40_000_000, 30_000_000)).isEqualTo(Freshness.STALE);
        assertThat(HeartbeatProgress.freshness(old, 1, false, 0, 40_000_000, 30_000_000)).isEqualTo(Freshness.FRESH);
    }
}
