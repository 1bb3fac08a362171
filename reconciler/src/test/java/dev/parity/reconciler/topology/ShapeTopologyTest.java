package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Observation;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A schema change applied to one side before the other (ADD COLUMN on the target, then on the source):
 * rows changed in between hash with the column on one side and without it on the other. Such a key was
 * not compared: it stays PENDING, never DIVERGENT, and its table is asked to be re-read; the re-read of
 * both sides under one structure decides it.
 */
class ShapeTopologyTest {
    private static final String T = "public.orders";
    private static final int OLD = 11;
    private static final int NEW = 22;
    private final TopologyHarness h = new TopologyHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private void upsert(Side side, long id, long value, int shape) {
        h.send(side, key(T, id), RowChange.upsert(side, hash(value), 0, "pos", false, shape));
    }

    @Test
    void shouldHoldRowsOfDifferentShapesPendingUntilReReadUnderOneStructure() {
        h.heartbeatBoth(1);
        upsert(Side.SOURCE, 1, 10, OLD); // the source's table not altered yet
        upsert(Side.TARGET, 1, 11, NEW); // the replicated change, applied under the target's new column
        for (long seq = 2; seq <= 6; seq++) {
            h.heartbeatBoth(seq);
        }
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(d -> assertThat(d.state()).isEqualTo(Verdict.PENDING));
        assertThat(h.link.rereadRequests()).containsKey(T);
        // Both sides re-read once the source is altered too: the rows, under one shape, are equal.
        h.heartbeatBoth(7); // the sweep sends once the streams passed the heartbeat its read saw
        h.send(Side.SOURCE, key(T, 1), new Observation(Side.SOURCE, hash(11), 6, 7, 0, NEW));
        h.heartbeatBoth(8);
        h.heartbeatBoth(9);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
    }

    @Test
    void shouldStillJudgeRowsOfOneShapeAndRowsOfUnknownShapeByTheirHashes() {
        h.heartbeatBoth(1);
        upsert(Side.SOURCE, 1, 10, NEW);
        upsert(Side.TARGET, 1, 99, NEW); // a real difference under one structure
        upsert(Side.SOURCE, 2, 10, OLD);
        h.send(Side.TARGET, key(T, 2), RowChange.upsert(Side.TARGET, hash(98), 0, "pos", false)); // shape not known
        h.heartbeatBoth(2);
        h.heartbeatBoth(3);
        assertThat(h.view.divergences(T, 10)).extracting(d -> d.key().get("id") + " " + d.state())
                .containsExactlyInAnyOrder("1 DIVERGENT", "2 DIVERGENT");
        assertThat(h.link.rereadRequests()).isEmpty();
    }
}
