package dev.parity.reconciler.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.canonical.ByteSink;
import dev.parity.reconciler.model.Hash128;
import org.junit.jupiter.api.Test;

class StateSerdesTest {
    private static final Hash128 A = new Hash128(0x1234_5678_9ABC_DEF0L, 42);
    private static final Hash128 B = new Hash128(-7, 0x0FED_CBA9_8765_4321L);

    private static KeyState roundTrip(KeyState k) {
        return StateSerdes.decodeKeyState(StateSerdes.encodeKeyState(k));
    }

    @Test
    void shouldStoreAnEqualKeyWithOneHashAndNoProvenanceInAboutTwentyBytes() {
        KeyState equal = new KeyState(new SideState(A, 5, "mariadb-bin.000001:4711", 17),
                new SideState(A, 6, "mariadb-bin.000009:99", 18), KeyState.NEVER).withoutProvenance();
        byte[] bytes = StateSerdes.encodeKeyState(equal);
        assertThat(bytes.length).isLessThanOrEqualTo(22);
        assertThat(roundTrip(equal)).isEqualTo(equal);
    }

    @Test
    void shouldKeepBothHashesProvenanceAndFirstMismatchOfAMismatchedKey() {
        KeyState mismatched = new KeyState(new SideState(A, 1_700_000_000_000_000L, "0/16B3748", 3),
                new SideState(B, 1_700_000_000_100_000L, "0/16B37F0", SideState.NONE), 1_700_000_000_123L);
        assertThat(roundTrip(mismatched)).isEqualTo(mismatched);
    }

    @Test
    void shouldKeepEachSidesRowShapeWhileMismatchedAndDropItOnceEqual() {
        KeyState mismatched = new KeyState(new SideState(A, 1, "0/1", 3, dev.parity.reconciler.state.Provenance.CHANGE_STREAM, -123456789),
                new SideState(B, 2, "0/2", 4, dev.parity.reconciler.state.Provenance.REREAD, 42), 99);
        assertThat(roundTrip(mismatched)).isEqualTo(mismatched);
        assertThat(mismatched.shapesDiffer()).isTrue();
        assertThat(mismatched.withoutProvenance().source().shape()).isZero();
    }

    /** The mismatch index is rebuilt from the key states (README, "Disk"): a mismatched key keeps its verdict and due heartbeat. */
    @Test
    void shouldKeepTheMismatchEntryOfAMismatchedKeyAndReadFormatFourWithout() {
        KeyState base = new KeyState(new SideState(A, 1, "0/1", 3), new SideState(B, 2, "0/2", 4), 99);
        for (MismatchEntry e : new MismatchEntry[] {new MismatchEntry(Verdict.PENDING, 7), new MismatchEntry(Verdict.DIVERGENT, 5),
                new MismatchEntry(Verdict.PENDING, MismatchEntry.UNKNOWN_DUE), new MismatchEntry(Verdict.PENDING, MismatchEntry.AWAITING_REREAD),
                new MismatchEntry(Verdict.PENDING, 1_767_225_600_000L)}) {
            assertThat(roundTrip(base.withMismatch(e))).as(e.toString()).isEqualTo(base.withMismatch(e));
        }
        byte[] format5 = StateSerdes.encodeKeyState(base);
        byte[] format4 = format5.clone();
        format4[0] = 4;
        assertThat(StateSerdes.decodeKeyState(format4)).isEqualTo(base).extracting(KeyState::mismatch).isNull();
    }

    @Test
    void shouldKeepDeletedAndNeverSeenSidesApart() {
        KeyState deletedOnTarget = new KeyState(new SideState(A, SideState.UNKNOWN_COMMIT, "", 4), new SideState(null, 9, "lsn", 5), 77);
        KeyState onlySource = new KeyState(new SideState(B, SideState.UNKNOWN_COMMIT, "", 2), null, KeyState.NEVER);
        assertThat(roundTrip(deletedOnTarget)).isEqualTo(deletedOnTarget);
        assertThat(roundTrip(onlySource)).isEqualTo(onlySource);
    }

    @Test
    void shouldStillReadTheFirstFormat() {
        ByteSink v1 = new ByteSink(64).writeByte(1);
        v1.writeByte(2).writeLong(A.hi()).writeLong(A.lo()).writeSignedVarLong(10).writeString("pos").writeSignedVarLong(3);
        v1.writeByte(0);
        v1.writeSignedVarLong(KeyState.NEVER);
        assertThat(StateSerdes.decodeKeyState(v1.toByteArray())).isEqualTo(new KeyState(new SideState(A, 10, "pos", 3), null, KeyState.NEVER));
    }

    @Test
    void shouldKeepHowEachSideWasLearnt() {
        KeyState k = new KeyState(new SideState(A, 7, "snapshot@hb4", 4, Provenance.INITIAL_LOAD),
                new SideState(B, 8, "re-read@hb9", 9, Provenance.REREAD), 55);
        assertThat(roundTrip(k)).isEqualTo(k);
        KeyState dropped = k.withoutProvenance();
        assertThat(dropped.source().provenance()).isEqualTo(Provenance.CHANGE_STREAM);
        assertThat(roundTrip(dropped)).isEqualTo(dropped);
    }

    @Test
    void shouldReadFormatTwoWhoseProvenanceWasOnlyInThePosition() {
        ByteSink v2 = new ByteSink(64).writeByte(2).writeByte(1 | 2 | 4 | 8 | 32 | 64);
        v2.writeLong(A.hi()).writeLong(A.lo()).writeLong(B.hi()).writeLong(B.lo());
        v2.writeSignedVarLong(3).writeSignedVarLong(4);
        v2.writeSignedVarLong(10).writeString("snapshot@hb3").writeSignedVarLong(11).writeString("re-read@hb4");
        v2.writeSignedVarLong(99);
        KeyState k = StateSerdes.decodeKeyState(v2.toByteArray());
        assertThat(k.source().provenance()).isEqualTo(Provenance.INITIAL_LOAD);
        assertThat(k.target().provenance()).isEqualTo(Provenance.REREAD);
        assertThat(k.firstMismatchMillis()).isEqualTo(99);
    }
}
