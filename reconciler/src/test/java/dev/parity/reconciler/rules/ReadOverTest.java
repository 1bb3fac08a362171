package dev.parity.reconciler.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.Watermark;
import org.junit.jupiter.api.Test;

class ReadOverTest {
    private static final Hash128 A = new Hash128(1, 1);
    private static final Hash128 B = new Hash128(2, 2);
    /** The stream delivered heartbeats 3..10 on this partition; nothing forgotten. */
    private static final Watermark WM = Watermark.first(3, 0, 0).advance(10, 0, 0);

    @Test
    void shouldTakeAReadOnlyOverAStateStampedBeforeItsSnapshot() {
        assertThat(ReadOver.predates(new SideState(A, 0, "p", 4), WM, 5)).isTrue();
        assertThat(ReadOver.predates(new SideState(A, 0, "p", 5), WM, 5)).as("stamped at the guard: may be after the snapshot").isFalse();
        assertThat(ReadOver.predates(new SideState(A, 0, "p", 6), WM, 5)).isFalse();
    }

    @Test
    void shouldDateAnUnstampedStateBeforeTheStreamsFirstHeartbeat() {
        SideState snapshotRow = new SideState(A, 0, "p", SideState.NONE);
        assertThat(ReadOver.predates(snapshotRow, WM, 3)).isTrue();
        assertThat(ReadOver.predates(snapshotRow, WM, 2)).as("read before the stream began").isFalse();
    }

    @Test
    void shouldTrustAnAbsentKeyOnlyWhenReadAfterTheLastForgottenDeletion() {
        Watermark forgot = WM.forgot(7);
        assertThat(ReadOver.predates(null, WM, 5)).isTrue();
        assertThat(ReadOver.predates(null, forgot, 7)).isFalse();
        assertThat(ReadOver.predates(null, forgot, 8)).isTrue();
    }

    @Test
    void shouldGiveTheTakenValueItsStampAndProvenance() {
        SideState taken = ReadOver.readOver(new SideState(A, 0, "lsn", 4), WM, B, 5, 8, 123, "re-read@hb8", Provenance.REREAD);
        assertThat(taken).isEqualTo(new SideState(B, 123, "re-read@hb8", 8, Provenance.REREAD));
        assertThat(ReadOver.readOver(new SideState(B, 0, "lsn", 4), WM, B, 5, 8, 123, "x", Provenance.REREAD)).as("same value").isNull();
        assertThat(ReadOver.readOver(new SideState(A, 0, "lsn", 6), WM, B, 5, 8, 123, "x", Provenance.REREAD)).as("newer change").isNull();
    }

    @Test
    void shouldSendOnlyReadsThatDifferFromAnOlderState() {
        assertThat(ReadOver.worthSending(new SideState(A, 0, "", 4), B, 5)).isTrue();
        assertThat(ReadOver.worthSending(new SideState(A, 0, "", 5), B, 5)).isFalse();
        assertThat(ReadOver.worthSending(new SideState(B, 0, "", 4), B, 5)).isFalse();
        assertThat(ReadOver.worthSending(null, B, 5)).isTrue();
        assertThat(ReadOver.worthSending(null, null, 5)).as("absent in both").isFalse();
    }
}
