package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.model.Truncate;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.state.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A TRUNCATE a side's log recorded deletes that side's rows of the table at once, in stream order. */
class TruncateTopologyTest {
    private static final String T = "shop.orders";
    private static final String OTHER = "shop.customers";
    private final TopologyHarness h = new TopologyHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private void rows(String table, long n) {
        for (long id = 1; id <= n; id++) {
            h.upsert(Side.SOURCE, key(table, id), hash(id));
            h.upsert(Side.TARGET, key(table, id), hash(id));
        }
    }

    private void truncate(Side side, String table) {
        h.send(side, new byte[] {0}, new Truncate(side, table, 0, "lsn 42"));
    }

    @Test
    void shouldFindATruncateOnTheTargetAloneAsEveryRowMissingThere() {
        h.heartbeatBoth(1);
        rows(T, 5);
        rows(OTHER, 3);
        h.heartbeatBoth(2);
        truncate(Side.TARGET, T);
        h.upsert(Side.TARGET, key(T, 9), hash(9)); // inserted after the truncate: it stays
        h.heartbeatBoth(3);
        h.heartbeatBoth(4);
        assertThat(h.view.divergences(T, 10)).extracting(d -> d.key().get("id") + " " + d.kind() + " " + d.state()).containsExactlyInAnyOrder(
                "1 MISSING_ON_TARGET DIVERGENT", "2 MISSING_ON_TARGET DIVERGENT", "3 MISSING_ON_TARGET DIVERGENT",
                "4 MISSING_ON_TARGET DIVERGENT", "5 MISSING_ON_TARGET DIVERGENT", "9 EXTRA_ON_TARGET DIVERGENT");
        assertThat(h.view.divergences(T, 10)).allSatisfy(d -> {
            if (d.kind() == DivergenceView.Kind.MISSING_ON_TARGET) {
                assertThat(d.targetPosition()).isEqualTo("lsn 42");
            }
        });
        assertThat(h.table(T).target()).isEqualTo(Digest.EMPTY.apply(null, hash(9)));
        assertThat(h.table(OTHER).verdict()).as("other tables keep their rows").isEqualTo(Verdict.IN_SYNC);
        assertThat(h.table(OTHER).target().count()).isEqualTo(3);
    }

    @Test
    void shouldLeaveNothingToReportWhenBothSidesTruncate() {
        h.heartbeatBoth(1);
        rows(T, 4);
        h.heartbeatBoth(2);
        truncate(Side.SOURCE, T);
        h.heartbeatBoth(3);
        truncate(Side.TARGET, T); // replication applies it a heartbeat later
        h.heartbeatBoth(4);
        h.heartbeatBoth(5);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).source()).isEqualTo(Digest.EMPTY);
        assertThat(h.table(T).target()).isEqualTo(Digest.EMPTY);
    }
}
