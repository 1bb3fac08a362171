package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.state.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Verdicts without heartbeats (no write access to the source): a mismatch must persist for the grace period. */
class GracePeriodTopologyTest {
    private static final String T = "public.orders";
    private final TopologyHarness h = new TopologyHarness(new ReconcilerSettings(TopologyHarness.SOURCE_TOPIC,
            TopologyHarness.TARGET_TOPIC, new Chunking(4), 0, Duration.ofSeconds(30)), true);

    @AfterEach
    void close() {
        h.close();
    }

    private Verdict verdictOf(long id) {
        return h.view.divergences(T, 10).stream().filter(d -> d.key().get("id").equals(id)).map(DivergenceView::state)
                .findFirst().orElse(Verdict.IN_SYNC);
    }

    @Test
    void shouldJudgeAMismatchDivergentOnlyAfterItPersistsForTheGracePeriod() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 1), hash(2));
        h.advance(Duration.ofSeconds(29));
        assertThat(verdictOf(1)).isEqualTo(Verdict.PENDING);
        h.advance(Duration.ofSeconds(2));
        assertThat(verdictOf(1)).isEqualTo(Verdict.DIVERGENT);
    }

    @Test
    void shouldRestartTheGraceWhenTheKeyChangesAgain() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.advance(Duration.ofSeconds(20));
        h.upsert(Side.SOURCE, key(T, 1), hash(3)); // still replicating: a new change, a new grace
        h.advance(Duration.ofSeconds(20));
        assertThat(verdictOf(1)).isEqualTo(Verdict.PENDING);
        h.upsert(Side.TARGET, key(T, 1), hash(3));
        assertThat(verdictOf(1)).isEqualTo(Verdict.IN_SYNC);
        assertThat(h.table(T).transientMismatches()).isEqualTo(1);
    }

    @Test
    void shouldForgetKeysDeletedOnBothSidesAtOnce() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        h.delete(Side.SOURCE, key(T, 1));
        h.delete(Side.TARGET, key(T, 1));
        try (var it = h.driver.getKeyValueStore(StoreNames.KEYS).all()) {
            assertThat(it.hasNext()).isFalse();
        }
    }
}
