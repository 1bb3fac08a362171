package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Baseline;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.state.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parity's initial load: both sides of a key, read by the same key range after the streams began, arrive
 * as one record. The load must give the same verdicts a connector snapshot would, never let an older
 * read overrule a newer captured change, and never show a key as one-sided while loading.
 */
class BaselineTopologyTest {
    private static final String T = "shop.orders";
    private final TopologyHarness h = new TopologyHarness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void shouldLoadEqualRowsInSyncWithoutAnyKeyEverPending() {
        h.heartbeatBoth(1);
        h.heartbeatBoth(2);
        for (long id = 1; id <= 50; id++) {
            h.baseline(key(T, id), hash(id), 1, hash(id), 1);
            assertThat(h.table(T).pendingKeys()).as("a key loaded on both sides at once is never one-sided").isZero();
        }
        var t = h.table(T);
        assertThat(t.verdict()).isEqualTo(Verdict.IN_SYNC);
        assertThat(t.source().count()).isEqualTo(50);
        assertThat(t.source()).isEqualTo(t.target());
        assertThat(h.view.key(key(T, 7)).side(Side.TARGET).position()).isEmpty(); // provenance dropped while equal
    }

    @Test
    void shouldFindRowsThatDifferAtLoadWithTheirExactKeysOnceTheFencesPass() {
        h.heartbeatBoth(1);
        h.heartbeatBoth(2);
        h.baseline(key(T, 1), hash(1), 1, hash(666), 1);  // value differs
        h.baseline(key(T, 2), hash(2), 1, null, 1);       // missing on the target
        h.baseline(key(T, 3), null, 1, hash(3), 1);       // extra on the target
        assertThat(h.view.divergences(T, 10)).extracting(DivergenceView::kind, DivergenceView::state).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(DivergenceView.Kind.MISMATCH, Verdict.DIVERGENT),
                org.assertj.core.groups.Tuple.tuple(DivergenceView.Kind.MISSING_ON_TARGET, Verdict.DIVERGENT),
                org.assertj.core.groups.Tuple.tuple(DivergenceView.Kind.EXTRA_ON_TARGET, Verdict.DIVERGENT));
        assertThat(h.view.divergences(T, 10)).filteredOn(d -> d.kind() == DivergenceView.Kind.MISMATCH).singleElement()
                .satisfies(d -> {
                    assertThat(d.key()).containsEntry("id", 1L);
                    assertThat(d.targetPosition()).isEqualTo(Baseline.POSITION_PREFIX + 1);
                });
        assertThat(h.table(T).target()).isEqualTo(Digest.EMPTY.apply(null, hash(666)).apply(null, hash(3)));
    }

    /**
     * A restart after a crash: the load finished (closed by heartbeat 6) in the last run, but the restored stores predate
     * its last records, which the reconciler reads again. A row inserted as the streams began is on the source's stream
     * only; its target side comes from the load. It must not be judged missing before the replayed load record arrives.
     */
    @Test
    void shouldKeepTheLoadWindowOpenAfterARestartUntilBothStreamsPassTheLoadsLastHeartbeat() {
        TopologyHarness control = new TopologyHarness();
        try {
            replayedLoad(control);
            assertThat(control.view.divergences(T, 10)).as("the window closed with the process: the false verdict this guards against")
                    .extracting(DivergenceView::state).containsExactly(Verdict.DIVERGENT);
        } finally {
            control.close();
        }
        h.link.loadEndsAt(6);
        replayedLoad(h);
        assertThat(h.view.divergences(T, 10)).extracting(DivergenceView::state).containsExactly(Verdict.PENDING);
        h.baseline(key(T, 1), hash(1), 3, hash(1), 3); // the replayed load record
        h.heartbeatBoth(5);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        h.upsert(Side.SOURCE, key(T, 2), hash(2)); // a row on the source only, never loaded: judged once the window closes
        h.heartbeatBoth(6);
        h.heartbeatBoth(7);
        assertThat(h.view.divergences(T, 10)).extracting(DivergenceView::kind, DivergenceView::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DivergenceView.Kind.MISSING_ON_TARGET, Verdict.DIVERGENT));
    }

    private static void replayedLoad(TopologyHarness t) {
        t.upsert(Side.SOURCE, key(T, 1), hash(1)); // before the source's first heartbeat; the target's stream began after it
        for (long seq = 1; seq <= 4; seq++) {
            t.heartbeatBoth(seq);
        }
    }

    @Test
    void shouldHoldABaselineThatOvertookAHeartbeatUntilTheStreamsPassItsReads() {
        h.heartbeatBoth(1);
        h.heartbeatBoth(2);
        h.baseline(key(T, 1), hash(1), 1, hash(9), 2); // the target read saw heartbeat 2, which is all its stream delivered so far
        assertThat(h.view.key(key(T, 1))).as("held back: the target stream may still deliver changes the read saw").isNull();
        assertThat(h.table(T).source().count()).isZero();
        h.upsert(Side.TARGET, key(T, 1), hash(1)); // committed before the target read (stamped 2, so older than nothing the read saw)
        h.heartbeat(Side.SOURCE, 3);
        assertThat(h.view.key(key(T, 1)).source()).as("still held: the target stream has not passed 2").isNull();
        h.heartbeat(Side.TARGET, 3);
        // Applied now, both sides together: the source's read is taken; the target's stream state (stamped 2) is not
        // older than its read (guard 2), so it stands, and the key is equal.
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).source()).isEqualTo(h.table(T).target());
        assertThat(h.table(T).source().count()).isEqualTo(1);
        h.baseline(key(T, 2), hash(2), 3, hash(9), 3);
        h.heartbeatBoth(4);
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.DIVERGENT);
    }

    @Test
    void shouldNeverLetALoadedReadOverruleANewerCapturedChange() {
        h.heartbeatBoth(1);
        h.heartbeatBoth(2);
        // Changed after both reads (stamped 2 on each side): the reads still saw the old value.
        h.upsert(Side.SOURCE, key(T, 1), hash(9));
        h.upsert(Side.TARGET, key(T, 1), hash(9));
        h.heartbeatBoth(3);
        h.baseline(key(T, 1), hash(1), 2, hash(1), 2);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).source()).isEqualTo(Digest.EMPTY.apply(null, hash(9)));
        // Changed on the target only, after its read: the stream's value stands, the source's read is taken.
        h.upsert(Side.TARGET, key(T, 2), hash(20));
        h.heartbeatBoth(4);
        h.baseline(key(T, 2), hash(20), 3, hash(2), 3);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
    }

    @Test
    void shouldTakeAReadOverAnOlderCapturedStateThatItContradicts() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1)); // stamped 1: before the reads at 2
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        h.heartbeatBoth(2);
        h.heartbeatBoth(3);
        h.baseline(key(T, 1), hash(1), 2, hash(5), 2); // the target holds a value no log recorded
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(d -> {
            assertThat(d.key()).containsEntry("id", 1L);
            assertThat(d.state()).isEqualTo(Verdict.DIVERGENT);
        });
    }

    @Test
    void shouldApplyABatchOfKeysAsIfEachCameAlone() {
        h.heartbeatBoth(1);
        h.heartbeatBoth(2);
        h.send(Side.SOURCE, key(T, 1), new dev.parity.reconciler.model.BaselineBatch(1, 1, 0, java.util.List.of(
                new dev.parity.reconciler.model.BaselineBatch.Entry(key(T, 1), hash(1), hash(1)),
                new dev.parity.reconciler.model.BaselineBatch.Entry(key(T, 2), hash(2), hash(666)),
                new dev.parity.reconciler.model.BaselineBatch.Entry(key(T, 3), hash(3), null))));
        assertThat(h.view.divergences(T, 10)).extracting(d -> d.key().get("id") + " " + d.kind() + " " + d.state()).containsExactlyInAnyOrder(
                "2 MISMATCH DIVERGENT", "3 MISSING_ON_TARGET DIVERGENT");
        assertThat(h.table(T).source().count()).isEqualTo(3);
        assertThat(h.table(T).target().count()).isEqualTo(2);
    }

    @Test
    void shouldRoundTripABatchOnTheWire() {
        var b = new dev.parity.reconciler.model.BaselineBatch(7, 9, 123L, java.util.List.of(
                new dev.parity.reconciler.model.BaselineBatch.Entry(key(T, 1), hash(1), null),
                new dev.parity.reconciler.model.BaselineBatch.Entry(key(T, 2), null, hash(2))));
        var back = (dev.parity.reconciler.model.BaselineBatch) CaptureEventSerde.decode(CaptureEventSerde.encode(b));
        assertThat(back.sourceGuard()).isEqualTo(7);
        assertThat(back.targetGuard()).isEqualTo(9);
        assertThat(back.readAtMicros()).isEqualTo(123L);
        assertThat(back.entries()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(back.entries().get(i).key()).isEqualTo(b.entries().get(i).key());
            assertThat(back.baseline(back.entries().get(i))).isEqualTo(b.baseline(b.entries().get(i)));
        }
    }

    @Test
    void shouldRoundTripOnTheWire() {
        Baseline b = new Baseline(hash(1), 17, null, 16, 123_456L);
        assertThat(CaptureEventSerde.decode(CaptureEventSerde.encode(b))).isEqualTo(b);
        Baseline c = new Baseline(null, 0, hash(2), 300, -5L);
        assertThat(CaptureEventSerde.decode(CaptureEventSerde.encode(c))).isEqualTo(c);
    }
}
