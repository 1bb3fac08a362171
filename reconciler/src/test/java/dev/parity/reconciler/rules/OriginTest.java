package dev.parity.reconciler.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.SideState;
import org.junit.jupiter.api.Test;

class OriginTest {
    private static SideState at(long stamp, Provenance p) {
        return new SideState(new Hash128(stamp, 1), 0, "", stamp, p);
    }

    @Test
    void shouldSayWhereADivergenceCameFrom() {
        assertThat(Origin.of(at(3, Provenance.CHANGE_STREAM), at(9, Provenance.CHANGE_STREAM))).isEqualTo(Origin.TARGET_WRITE);
        assertThat(Origin.of(null, at(9, Provenance.CHANGE_STREAM))).as("a row only the target's log inserted").isEqualTo(Origin.TARGET_WRITE);
        assertThat(Origin.of(at(9, Provenance.CHANGE_STREAM), at(3, Provenance.CHANGE_STREAM))).isEqualTo(Origin.LOST_CHANGE);
        assertThat(Origin.of(at(9, Provenance.CHANGE_STREAM), null)).isEqualTo(Origin.LOST_CHANGE);
        assertThat(Origin.of(at(9, Provenance.CHANGE_STREAM), at(9, Provenance.CHANGE_STREAM)))
                .as("the same stamp: the source's change, applied differently").isEqualTo(Origin.APPLIED_DIFFERENTLY);
        assertThat(Origin.of(at(9, Provenance.CHANGE_STREAM), at(4, Provenance.REREAD))).isEqualTo(Origin.UNLOGGED_WRITE);
        assertThat(Origin.of(at(4, Provenance.INITIAL_LOAD), at(4, Provenance.INITIAL_LOAD))).isEqualTo(Origin.BEFORE_START);
        assertThat(Origin.of(at(SideState.NONE, Provenance.CHANGE_STREAM), at(SideState.NONE, Provenance.CHANGE_STREAM)))
                .as("both from the connectors' snapshots").isEqualTo(Origin.BEFORE_START);
    }
}
