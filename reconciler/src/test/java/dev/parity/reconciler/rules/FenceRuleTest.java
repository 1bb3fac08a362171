package dev.parity.reconciler.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.Verdict;
import dev.parity.reconciler.state.Watermark;
import org.junit.jupiter.api.Test;

class FenceRuleTest {
    private static final Hash128 A = new Hash128(1, 1);
    private static final Hash128 B = new Hash128(2, 2);

    @Test
    void shouldBeDueAtTheLaterOfTheTwoFences() {
        KeyState k = new KeyState(new SideState(A, 0, "", 4), new SideState(B, 0, "", 6), 0);
        Watermark s = Watermark.first(1, 0, 0).advance(8, 0, 0);
        Watermark t = Watermark.first(1, 0, 0).advance(7, 0, 0);
        assertThat(FenceRule.due(k, s, t, 0)).isEqualTo(7);
        assertThat(FenceRule.due(k, s, t, 2)).as("extra heartbeats where order is not assured").isEqualTo(9);
    }

    @Test
    void shouldNotKnowTheDueSeqBeforeASidesFenceIsDelivered() {
        KeyState k = new KeyState(new SideState(A, 0, "", 7), null, 0);
        Watermark atStamp = Watermark.first(1, 0, 0).advance(7, 0, 0);
        assertThat(FenceRule.due(k, atStamp, atStamp, 0)).as("only the source's next heartbeat can decide").isEqualTo(MismatchEntry.UNKNOWN_SOURCE_DUE);
        assertThat(FenceRule.due(k, null, atStamp, 0)).isEqualTo(MismatchEntry.UNKNOWN_SOURCE_DUE);
        KeyState targetChanged = new KeyState(new SideState(A, 0, "", 3), new SideState(B, 0, "", 7), 0);
        assertThat(FenceRule.due(targetChanged, atStamp, atStamp, 0)).as("the target's next heartbeat decides").isEqualTo(MismatchEntry.UNKNOWN_DUE);
        assertThat(FenceRule.due(targetChanged, null, null, 0)).as("both unknown: the target's first").isEqualTo(MismatchEntry.UNKNOWN_DUE);
        for (long unknown : new long[] {MismatchEntry.UNKNOWN_DUE, MismatchEntry.UNKNOWN_SOURCE_DUE, MismatchEntry.AWAITING_LOAD}) {
            assertThat(FenceRule.settled(unknown, Long.MAX_VALUE)).isFalse();
        }
    }

    @Test
    void shouldFenceAnAbsentSideAtItsStreamsFirstHeartbeat() {
        KeyState onlyTarget = new KeyState(null, new SideState(B, 0, "", 5), 0);
        Watermark s = Watermark.first(3, 0, 0).advance(9, 0, 0);
        Watermark t = Watermark.first(2, 0, 0).advance(9, 0, 0);
        assertThat(FenceRule.due(onlyTarget, s, t, 0)).isEqualTo(6);
    }

    @Test
    void shouldNotTakeASideWithNoStateForAbsentWhileTheInitialLoadMayStillDeliverIt() {
        KeyState onlyTarget = new KeyState(null, new SideState(B, 0, "", 5), 0);
        Watermark s = Watermark.first(3, 0, 0).advance(9, 0, 0);
        Watermark t = Watermark.first(2, 0, 0).advance(9, 0, 0);
        assertThat(FenceRule.due(onlyTarget, s, t, 0, false)).isEqualTo(MismatchEntry.AWAITING_LOAD);
        assertThat(FenceRule.due(onlyTarget, s, t, 0, true)).isEqualTo(6);
        KeyState deletedOnSource = new KeyState(new SideState(null, 0, "", 4), new SideState(B, 0, "", 5), 0);
        assertThat(FenceRule.due(deletedOnSource, s, t, 0, false)).as("a deletion is known, load or not").isEqualTo(6);
    }

    @Test
    void shouldFollowAGapRatherThanGuessStampPlusOne() {
        Watermark gap = Watermark.first(1, 0, 0).advance(2, 0, 0).advance(5, 0, 0);
        KeyState k = new KeyState(new SideState(A, 0, "", 2), new SideState(B, 0, "", 2), 0);
        assertThat(FenceRule.due(k, gap, gap, 0)).isEqualTo(5);
    }

    @Test
    void shouldBeDivergentOnlyOnceBothStreamsDeliveredTheDueSeq() {
        assertThat(FenceRule.settled(7, FenceRule.bothDelivered(Watermark.first(9, 0, 0), Watermark.first(6, 0, 0)))).isFalse();
        assertThat(FenceRule.settled(7, FenceRule.bothDelivered(Watermark.first(9, 0, 0), Watermark.first(7, 0, 0)))).isTrue();
        assertThat(FenceRule.bothDelivered(null, Watermark.first(7, 0, 0))).isEqualTo(-1);
        assertThat(FenceRule.mismatchVerdict(false)).isEqualTo(Verdict.PENDING);
        assertThat(FenceRule.mismatchVerdict(true)).isEqualTo(Verdict.DIVERGENT);
    }

    @Test
    void shouldKeepALoadsWindowOpenOnAPartitionUntilBothStreamsDeliveredTheHeartbeatThatClosedIt() {
        Watermark at5 = Watermark.first(1, 0, 0).advance(5, 0, 0);
        Watermark at6 = at5.advance(6, 0, 0);
        assertThat(FenceRule.loadMayStillSend(true, -1, at6, at6)).as("a load running").isTrue();
        assertThat(FenceRule.loadMayStillSend(false, -1, null, null)).as("no load known").isFalse();
        assertThat(FenceRule.loadMayStillSend(false, 6, at6, at5)).as("the target has not delivered it").isTrue();
        assertThat(FenceRule.loadMayStillSend(false, 6, null, at6)).as("nothing from the source yet").isTrue();
        assertThat(FenceRule.loadMayStillSend(false, 6, at6, at6)).isFalse();
    }

    @Test
    void shouldPutTheAtLeastOnceRestartFloorAfterEveryRestoredHeartbeat() {
        assertThat(FenceRule.restartFloor(null, null)).isZero();
        assertThat(FenceRule.restartFloor(Watermark.first(4, 0, 0), Watermark.first(9, 0, 0))).isEqualTo(10);
        assertThat(FenceRule.restartFloor(Watermark.first(12, 0, 0), null)).isEqualTo(13);
    }
}
