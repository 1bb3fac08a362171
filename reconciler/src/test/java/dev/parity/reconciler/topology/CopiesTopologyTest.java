package dev.parity.reconciler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.state.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A table without key: each distinct row is its own key and each side holds how many copies of it it
 * has. Counts are compared exactly, copies added and removed by either stream in any interleaving
 * replication allows never raise an alarm, and the fence rule decides as for any key.
 */
class CopiesTopologyTest {
    private static final String T = "public.history";
    private final TopologyHarness h = new TopologyHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** The content key of a history row: the whole canonical row, no key columns. */
    static byte[] row(long aid, long delta) {
        return new CanonicalWriter().table(T).beginRow().column("aid").integer(aid).column("delta").integer(delta).toByteArray();
    }

    private void add(Side side, byte[] row) {
        h.send(side, row, RowChange.copy(side, 1, 0, "pos", false));
    }

    private void remove(Side side, byte[] row) {
        h.send(side, row, RowChange.copy(side, -1, 0, "pos", false));
    }

    @Test
    void shouldCountCopiesExactlyAndSayHowManyEachSideHas() {
        h.heartbeatBoth(1);
        for (int i = 0; i < 3; i++) {
            add(Side.SOURCE, row(1, 5));
        }
        for (int i = 0; i < 2; i++) {
            add(Side.TARGET, row(1, 5)); // one copy lost on the way
        }
        add(Side.SOURCE, row(2, 7));
        add(Side.TARGET, row(2, 7));
        h.heartbeatBoth(2);
        h.heartbeatBoth(3);
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(d -> {
            assertThat(d.key()).containsEntry("aid", 1L).containsEntry("delta", 5L);
            assertThat(d.kind()).isEqualTo(DivergenceView.Kind.MISMATCH);
            assertThat(d.state()).isEqualTo(Verdict.DIVERGENT);
            assertThat(d.copies(Side.SOURCE)).isEqualTo(3);
            assertThat(d.copies(Side.TARGET)).isEqualTo(2);
        });
        assertThat(h.table(T).source().count()).as("rows, not distinct rows").isEqualTo(4);
        assertThat(h.table(T).target().count()).isEqualTo(3);
    }

    @Test
    void shouldRaiseNoAlarmWhenOneOfSeveralCopiesIsUpdatedOrDeletedOnBothSides() {
        h.heartbeatBoth(1);
        for (Side side : Side.values()) {
            add(side, row(1, 5));
            add(side, row(1, 5));
        }
        h.heartbeatBoth(2);
        // UPDATE ... one copy: a copy of the old row removed, a copy of the new one added; the target a heartbeat later.
        remove(Side.SOURCE, row(1, 5));
        add(Side.SOURCE, row(1, 6));
        h.heartbeat(Side.SOURCE, 3);
        assertThat(h.view.divergences(T, 10)).allSatisfy(d -> assertThat(d.state()).isEqualTo(Verdict.PENDING));
        remove(Side.TARGET, row(1, 5));
        add(Side.TARGET, row(1, 6));
        h.heartbeat(Side.TARGET, 3);
        remove(Side.SOURCE, row(1, 6)); // then DELETE of that copy
        h.heartbeat(Side.SOURCE, 4);
        remove(Side.TARGET, row(1, 6));
        h.heartbeat(Side.TARGET, 4);
        h.heartbeatBoth(5);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
        assertThat(h.table(T).source().count()).isEqualTo(1);
        assertThat(h.table(T).source()).isEqualTo(h.table(T).target());
    }

    @Test
    void shouldTakeARereadCountOverTheStreamsWhenNoLogRecordedTheChange() {
        h.heartbeatBoth(1);
        add(Side.SOURCE, row(3, 1));
        add(Side.TARGET, row(3, 1));
        h.heartbeatBoth(2);
        h.heartbeatBoth(3);
        h.send(Side.TARGET, row(3, 1), new dev.parity.reconciler.model.Observation(Side.TARGET, RowHashing.copies(row(3, 1), 2), 2, 2, 0));
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(d -> {
            assertThat(d.copies(Side.SOURCE)).isEqualTo(1);
            assertThat(d.copies(Side.TARGET)).isEqualTo(2);
            assertThat(d.state()).isEqualTo(Verdict.DIVERGENT);
        });
    }

    @Test
    void shouldRecoverTheCountFromTheValueForAnyCount() {
        byte[] k = row(9, 9);
        assertThat(CanonicalReader.isContentKey(k)).isTrue();
        assertThat(CanonicalReader.isContentKey(TopologyHarness.key(T, 1))).isFalse();
        for (long n : new long[] {1, 2, 3, 1_000_003, -1, -7}) {
            Hash128 v = RowHashing.copies(k, n);
            assertThat(RowHashing.copiesOf(k, v)).isEqualTo(n);
            assertThat(RowHashing.addCopies(k, v, 1)).isEqualTo(RowHashing.copies(k, n + 1));
        }
        assertThat(RowHashing.addCopies(k, RowHashing.copies(k, 1), -1)).as("no copy left: no row").isNull();
        assertThat(RowHashing.copies(k, 2)).isNotEqualTo(RowHashing.copies(row(9, 8), 2));
    }
}
