package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.query.TableSummary;
import dev.parity.reconciler.state.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReconcilerTopologyTest {
    private static final String T = "public.orders";
    private final TopologyHarness h = new TopologyHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private static Digest digestOf(Hash128... hashes) {
        Digest d = Digest.EMPTY;
        for (Hash128 x : hashes) {
            d = d.apply(null, x);
        }
        return d;
    }

    @Test
    void shouldSumInsertedRowsIntoBothSidesDigests() {
        for (long id = 1; id <= 50; id++) {
            h.upsert(Side.SOURCE, key(T, id), hash(id));
            h.upsert(Side.TARGET, key(T, id), hash(id));
        }
        TableSummary s = h.table(T);
        assertThat(s.source().count()).isEqualTo(50);
        assertThat(s.source()).isEqualTo(s.target());
        Hash128[] all = java.util.stream.LongStream.rangeClosed(1, 50).mapToObj(TopologyHarness::hash).toArray(Hash128[]::new);
        assertThat(s.source()).isEqualTo(digestOf(all));
        assertThat(s.chunksInSync()).isEqualTo(s.chunks()).isEqualTo(16);
        assertThat(s.verdict()).isEqualTo(Verdict.IN_SYNC);
    }

    /**
     * A capture's batch in one record (ChangeBatch) lands exactly as its events one record each: same digests, the same
     * keys judged the same way, a heartbeat inside a batch fencing the changes before it and not those after it.
     */
    @Test
    void shouldApplyABatchOfCapturedEventsInOrderAsIfEachWereItsOwnRecord() {
        try (TopologyHarness single = new TopologyHarness()) {
            for (TopologyHarness x : List.of(h, single)) {
                List<dev.parity.reconciler.model.ChangeBatch.Entry> source = new java.util.ArrayList<>();
                List<dev.parity.reconciler.model.ChangeBatch.Entry> target = new java.util.ArrayList<>();
                source.add(new dev.parity.reconciler.model.ChangeBatch.Entry(null, x.heartbeatEvent(Side.SOURCE, 1)));
                target.add(new dev.parity.reconciler.model.ChangeBatch.Entry(null, x.heartbeatEvent(Side.TARGET, 1)));
                for (long id = 1; id <= 30; id++) {
                    source.add(new dev.parity.reconciler.model.ChangeBatch.Entry(key(T, id), x.upsertEvent(Side.SOURCE, hash(id))));
                    // the target lost key 7's change and took a write of its own on key 9
                    if (id != 7) {
                        target.add(new dev.parity.reconciler.model.ChangeBatch.Entry(key(T, id), x.upsertEvent(Side.TARGET, hash(id == 9 ? 99 : id))));
                    }
                }
                source.add(new dev.parity.reconciler.model.ChangeBatch.Entry(key(T, 3), x.deleteEvent(Side.SOURCE)));
                target.add(new dev.parity.reconciler.model.ChangeBatch.Entry(key(T, 3), x.deleteEvent(Side.TARGET)));
                source.add(new dev.parity.reconciler.model.ChangeBatch.Entry(null, x.heartbeatEvent(Side.SOURCE, 2)));
                target.add(new dev.parity.reconciler.model.ChangeBatch.Entry(null, x.heartbeatEvent(Side.TARGET, 2)));
                // after the fence: key 12 changed on the source only, its target change still to come
                source.add(new dev.parity.reconciler.model.ChangeBatch.Entry(key(T, 12), x.upsertEvent(Side.SOURCE, hash(1200))));
                if (x == h) {
                    x.send(Side.SOURCE, key(T, 1), new dev.parity.reconciler.model.ChangeBatch(Side.SOURCE, source));
                    x.send(Side.TARGET, key(T, 1), new dev.parity.reconciler.model.ChangeBatch(Side.TARGET, target));
                } else {
                    source.forEach(e -> x.send(Side.SOURCE, e.key() == null ? new byte[] {0} : e.key(), e.event()));
                    target.forEach(e -> x.send(Side.TARGET, e.key() == null ? new byte[] {0} : e.key(), e.event()));
                }
            }
            TableSummary batched = h.table(T);
            assertThat(batched).isEqualTo(single.table(T));
            assertThat(batched.source().count()).isEqualTo(29);
            Map<Object, Verdict> verdicts = new java.util.TreeMap<>();
            h.view.divergences(T, 10).forEach(d -> verdicts.put(d.key().get("id"), d.state()));
            assertThat(verdicts).isEqualTo(Map.of(7L, Verdict.DIVERGENT, 9L, Verdict.DIVERGENT, 12L, Verdict.PENDING));
            assertThat(h.view.divergences(T, 10)).usingRecursiveFieldByFieldElementComparator().isEqualTo(single.view.divergences(T, 10));
        }
    }

    @Test
    void shouldReplaceTheOldHashOnUpdate() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.SOURCE, key(T, 2), hash(2));
        h.upsert(Side.SOURCE, key(T, 1), hash(100));
        assertThat(h.table(T).source()).isEqualTo(digestOf(hash(100), hash(2)));
    }

    private long storedKeys() {
        long keys = 0;
        try (var it = h.driver.getKeyValueStore(StoreNames.KEYS).all()) {
            while (it.hasNext()) {
                it.next();
                keys++;
            }
        }
        return keys;
    }

    @Test
    void shouldRemoveTheRowOnDeleteAndForgetKeysOnceTheirDeletesSettle() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        h.upsert(Side.SOURCE, key(T, 2), hash(2));
        h.upsert(Side.TARGET, key(T, 2), hash(2));
        h.delete(Side.SOURCE, key(T, 1));
        h.delete(Side.TARGET, key(T, 1));
        TableSummary s = h.table(T);
        assertThat(s.source()).isEqualTo(digestOf(hash(2))).isEqualTo(s.target());
        assertThat(storedKeys()).as("a deleted key keeps its stamps until both streams pass its fences").isEqualTo(2);
        h.heartbeatBoth(2);
        assertThat(storedKeys()).isEqualTo(1);
        assertThat(h.view.divergences(T, 10)).isEmpty();
    }

    @Test
    void shouldIgnoreTombstones() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.delete(Side.SOURCE, key(T, 1));
        h.tombstone(Side.SOURCE, key(T, 1));
        h.upsert(Side.SOURCE, key(T, 2), hash(2));
        assertThat(h.table(T).source()).isEqualTo(digestOf(hash(2)));
    }

    @Test
    void shouldLeaveDigestsUnchangedWhenTheSameEventsAreDeliveredTwice() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.SOURCE, key(T, 2), hash(2));
        h.delete(Side.SOURCE, key(T, 2));
        Digest once = h.table(T).source();
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.delete(Side.SOURCE, key(T, 2));
        h.delete(Side.SOURCE, key(T, 2));
        assertThat(h.table(T).source()).isEqualTo(once).isEqualTo(digestOf(hash(1)));
    }

    @Test
    void shouldReplayAnAtLeastOnceSuffixToTheSameDigest() {
        // Crash after events 1..3 were applied but before their offsets were committed: 1..3 arrive again.
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.SOURCE, key(T, 1), hash(11));
        h.delete(Side.SOURCE, key(T, 1));
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.SOURCE, key(T, 1), hash(11));
        h.delete(Side.SOURCE, key(T, 1));
        h.upsert(Side.SOURCE, key(T, 1), hash(111));
        assertThat(h.table(T).source()).isEqualTo(digestOf(hash(111)));
    }

    @Test
    void shouldFlagTheExactKeyAndChunkWhenTargetRowMissing() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.SOURCE, key(T, 2), hash(2));
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        List<DivergenceView> d = h.view.divergences(T, 10);
        assertThat(d).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo(Map.of("id", 2L));
            assertThat(v.kind()).isEqualTo(DivergenceView.Kind.MISSING_ON_TARGET);
            assertThat(v.state()).isEqualTo(Verdict.PENDING);
            assertThat(v.chunk()).isEqualTo(new dev.parity.reconciler.model.Chunking(4).chunkOf(key(T, 2)));
        });
        assertThat(h.table(T).chunksInSync()).isEqualTo(15);
    }

    @Test
    void shouldKeepALaggingKeyPendingAndCountItTransientWhenReplicationCatchesUp() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.heartbeat(Side.SOURCE, 2);
        h.heartbeat(Side.SOURCE, 3);
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.PENDING);
        h.upsert(Side.TARGET, key(T, 1), hash(1)); // replication delivers the row before heartbeat 2
        h.heartbeat(Side.TARGET, 2);
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).transientMismatches()).isEqualTo(1);
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
    }

    @Test
    void shouldJudgeATargetOnlyWriteDivergentOnceBothStreamsPassItsFence() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        h.heartbeatBoth(2);
        h.upsert(Side.TARGET, key(T, 1), hash(666)); // rogue write on the target, stamped 2
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.PENDING);
        h.heartbeat(Side.TARGET, 3);
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.PENDING);
        h.heartbeat(Side.SOURCE, 3);
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(v -> {
            assertThat(v.state()).isEqualTo(Verdict.DIVERGENT);
            assertThat(v.kind()).isEqualTo(DivergenceView.Kind.MISMATCH);
        });
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.DIVERGENT);
        assertThat(h.table(T).divergentChunks()).isEqualTo(1);
    }

    @Test
    void shouldReturnToInSyncWhenADivergenceIsUndone() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        h.upsert(Side.TARGET, key(T, 9), hash(9)); // extra row on the target
        h.heartbeatBoth(2);
        long transientsBefore = h.table(T).transientMismatches();
        assertThat(h.view.divergences(T, 10)).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(DivergenceView.Kind.EXTRA_ON_TARGET);
            assertThat(v.state()).isEqualTo(Verdict.DIVERGENT);
        });
        h.delete(Side.TARGET, key(T, 9));
        assertThat(h.view.divergences(T, 10)).isEmpty();
        assertThat(h.table(T).verdict()).isEqualTo(Verdict.IN_SYNC);
        assertThat(h.table(T).transientMismatches()).as("a judged divergence that is undone is not transient").isEqualTo(transientsBefore);
    }

    @Test
    void shouldFenceSnapshotRowsAtTheFirstHeartbeatDeliveredNotAtAGuess() {
        // Snapshot rows arrive before any heartbeat; the stream's first heartbeat is 41, not 0 or 1.
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        h.heartbeat(Side.SOURCE, 41);
        h.heartbeat(Side.TARGET, 41);
        // The target's snapshot is taken later than the source's: its copy arrives after heartbeat 41.
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.DIVERGENT);
        h.upsert(Side.TARGET, key(T, 1), hash(1));
        assertThat(h.view.divergences(T, 10)).isEmpty();
    }

    @Test
    void shouldWaitForTheTargetToPassTheSourceSnapshotBeforeJudgingARowTheSourceNeverDelivered() {
        // Source commits: insert k; [target snapshot]; hb 1; delete k; [source snapshot]; hb 2.
        h.upsert(Side.TARGET, key(T, 7), hash(7));   // target snapshot row (stamp NONE)
        h.heartbeat(Side.TARGET, 1);
        h.heartbeat(Side.SOURCE, 2);                  // the source's snapshot had no k; its first heartbeat is 2
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state)
                .as("the target has not yet delivered the delete that precedes heartbeat 2").isEqualTo(Verdict.PENDING);
        h.delete(Side.TARGET, key(T, 7));             // replicated delete
        h.heartbeat(Side.TARGET, 2);
        assertThat(h.view.divergences(T, 10)).isEmpty();
    }

    @Test
    void shouldNotJudgeAKeyWhileTheOtherStreamHasNotDeliveredAnyHeartbeat() {
        h.upsert(Side.SOURCE, key(T, 1), hash(1));
        for (long seq = 1; seq <= 20; seq++) {
            h.heartbeat(Side.SOURCE, seq);
        }
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.PENDING);
    }

    @Test
    void shouldRequireExtraHeartbeatsWhenReplicaOrderIsNotAssured() {
        try (TopologyHarness relaxed = new TopologyHarness(4, 2)) {
            relaxed.heartbeatBoth(1);
            relaxed.upsert(Side.TARGET, key(T, 5), hash(5));
            relaxed.heartbeatBoth(2);
            relaxed.heartbeatBoth(3);
            assertThat(relaxed.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.PENDING);
            relaxed.heartbeatBoth(4);
            assertThat(relaxed.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.DIVERGENT);
        }
    }

    @Test
    void shouldUseTheHeartbeatAfterAGapAsTheFence() {
        h.heartbeatBoth(1);
        h.upsert(Side.SOURCE, key(T, 1), hash(1)); // stamped 1 on the source
        h.heartbeat(Side.SOURCE, 5);                 // the source stream jumps 1 -> 5: fence is 5, not 2
        h.heartbeat(Side.TARGET, 2);
        h.heartbeat(Side.TARGET, 3);
        h.heartbeat(Side.TARGET, 4);
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.PENDING);
        h.heartbeat(Side.TARGET, 5);
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::state).isEqualTo(Verdict.DIVERGENT);
    }

    @Test
    void shouldStampFirstSeenTime() {
        h.upsert(Side.TARGET, key(T, 3), hash(3));
        h.advance(Duration.ofSeconds(30));
        h.upsert(Side.TARGET, key(T, 3), hash(4));
        assertThat(h.view.divergences(T, 10)).singleElement().extracting(DivergenceView::firstSeenMillis)
                .isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    }
}
