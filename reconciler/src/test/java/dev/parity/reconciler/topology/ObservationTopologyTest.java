package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.state.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The verification sweep's observations: rows read outside the change stream. They must reveal writes
 * no log recorded, and must never overrule a captured change that may be newer than the read.
 */
class ObservationTopologyTest {
    private static final String T = "shop.orders";
    private final TopologyHarness h = new TopologyHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** Key 1 equal on both sides, captured before heartbeat 2. */
    private void inSyncRowThenHeartbeats(long through) {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        for (long seq = 2; seq <= through; seq++) {
            h.heartbeatBoth(seq);
        }
    }

    /** The sweep's look-up of a page of keys: each key in its own partition's store, each store opened once. */
    @Test
    void shouldLookUpAPageOfKeysEachInTheStoreOfItsOwnPartition() {
        h.heartbeatBoth(1);
        for (long id = 1; id <= 40; id++) {
            h.upsert(Side.SOURCE, key(T, id), hash(id));
            if (id % 2 == 0) {
                h.upsert(Side.TARGET, key(T, id), hash(id));
            }
        }
        int partitions = 4;
        java.util.List<Integer> opened = new java.util.ArrayList<>();
        dev.parity.reconciler.query.ReconcilerView routed = new dev.parity.reconciler.query.ReconcilerView(
                new dev.parity.reconciler.query.StoreAccess() {
                    @Override
                    public <V> org.apache.kafka.streams.state.ReadOnlyKeyValueStore<org.apache.kafka.common.utils.Bytes, V> store(String name) {
                        throw new AssertionError("a page's look-up goes to each key's own partition, not to every store");
                    }

                    @Override
                    public <V> org.apache.kafka.streams.state.ReadOnlyKeyValueStore<org.apache.kafka.common.utils.Bytes, V> store(String name,
                                                                                                                            int partition) {
                        assertThat(name).isEqualTo(StoreNames.KEYS);
                        opened.add(partition);
                        return h.driver.getKeyValueStore(name); // the test driver keeps one store for every partition
                    }
                }, h.view.chunking());
        java.util.List<byte[]> page = new java.util.ArrayList<>();
        for (long id = 1; id <= 42; id++) { // 41 and 42: no state
            page.add(key(T, id));
        }
        dev.parity.reconciler.state.KeyState[] states = routed.keys(page, partitions);
        assertThat(states).hasSize(42);
        for (int i = 0; i < 42; i++) {
            assertThat(states[i]).as("key %d", i + 1).isEqualTo(h.view.key(page.get(i)));
        }
        assertThat(states[40]).isNull();
        assertThat(states[1].hash(Side.TARGET)).isEqualTo(hash(2));
        assertThat(states[0].hash(Side.TARGET)).isNull();
        assertThat(opened).as("each partition's store opened once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(page.stream().map(k -> h.view.chunking().partitionOf(k, partitions)).distinct().toList());
    }

    @Test
    void shouldJudgeAnUnloggedTargetUpdateDivergentWithItsExactKey() {
        inSyncRowThenHeartbeats(3);
        h.observe(Side.TARGET, key(T, 1), hash(666), 3); // read between heartbeats 3 and 4; the stream has not passed 3
        assertThat(h.view.divergences(T, 10)).as("dropped until the stream has delivered everything the read saw").isEmpty();
        h.heartbeatBoth(4);
        h.observe(Side.TARGET, key(T, 1), hash(666), 3);
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(d -> {
            assertThat(d.key()).containsEntry("id", 1L);
            assertThat(d.kind()).isEqualTo(DivergenceView.Kind.MISMATCH);
            assertThat(d.state()).isEqualTo(Verdict.DIVERGENT);
            assertThat(d.targetPosition()).isEqualTo("re-read@hb3");
        });
        assertThat(h.table(T).target()).isEqualTo(Digest.EMPTY.apply(null, hash(666)));
    }

    @Test
    void shouldNeverLetAReadOverruleACapturedChangeThatMayBeNewer() {
        inSyncRowThenHeartbeats(3);
        h.upsert(Side.SOURCE, key(T, 1), hash(2));
        h.upsert(Side.TARGET, key(T, 1), hash(2)); // stamped 3: it may have committed after a read guarded by 3
        h.heartbeatBoth(4);
        h.observe(Side.TARGET, key(T, 1), hash(1), 3); // the old value, read just before the change
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
    }

    @Test
    void shouldChangeNothingWhenTheReadAgreesWithTheStream() {
        inSyncRowThenHeartbeats(3);
        var before = h.table(T);
        h.observe(Side.TARGET, key(T, 1), hash(1), 2);
        h.observe(Side.SOURCE, key(T, 1), hash(1), 2);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T)).isEqualTo(before);
    }

    @Test
    void shouldReportAnUnloggedDeleteAsMissingAndAnUnloggedInsertAsExtra() {
        inSyncRowThenHeartbeats(3);
        h.observe(Side.TARGET, key(T, 1), null, 2);  // deleted with the log off
        h.observe(Side.TARGET, key(T, 7), hash(7), 2); // inserted with the log off
        assertThat(h.view.divergences(T, 10)).extracting(DivergenceView::kind, DivergenceView::state).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(DivergenceView.Kind.MISSING_ON_TARGET, Verdict.DIVERGENT),
                org.assertj.core.groups.Tuple.tuple(DivergenceView.Kind.EXTRA_ON_TARGET, Verdict.DIVERGENT));
    }

    @Test
    void shouldNotResurrectAKeyForgottenAfterADeleteTheReadPredates() {
        inSyncRowThenHeartbeats(3);
        h.delete(Side.SOURCE, key(T, 1));
        h.delete(Side.TARGET, key(T, 1)); // stamped 3
        h.heartbeatBoth(4);
        h.heartbeatBoth(5); // settled: the key is forgotten
        h.observe(Side.TARGET, key(T, 1), hash(1), 3); // read before the delete, delivered late
        assertThat(h.view.divergences(T, 10)).isEmpty();
        h.observe(Side.TARGET, key(T, 1), hash(9), 4); // read after it: the row came back without a log record
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::kind).isEqualTo(DivergenceView.Kind.EXTRA_ON_TARGET);
    }

    @Test
    void shouldLetALaterCapturedChangeReplaceTheReadValue() {
        inSyncRowThenHeartbeats(3);
        h.observe(Side.TARGET, key(T, 1), hash(666), 2);
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.DIVERGENT);
        h.upsert(Side.TARGET, key(T, 1), hash(1)); // repaired through the log
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
    }
}
