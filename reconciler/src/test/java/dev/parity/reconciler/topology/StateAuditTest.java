package dev.parity.reconciler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.ChunkState;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.StoreKeys;
import dev.parity.reconciler.state.Verdict;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;

/**
 * At-least-once restarts (README, "When things fail"): a crash can leave the chunk store, the mismatch index and the
 * wake-ups out of step with the key states (a change counted twice in a digest, a verdict's entry lost, an entry
 * left for a key that matches). A processor started with the audit rebuilds them from the key states to exactly
 * what an uninterrupted run holds; one started without it keeps the damage (so the audit is what repairs it).
 */
class StateAuditTest {
    private static final String T = "public.items";
    private final Chunking chunking = new Chunking(2);
    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();

    @Test
    void shouldRebuildChunkDigestsAndMismatchIndexFromTheKeyStates() {
        stores();
        Processor<Bytes, CaptureEvent, Void, Void> first = processor(false);
        first.init(context);
        long micros = 1_000_000;
        for (long seq = 1; seq <= 2; seq++) {
            send(first, Side.SOURCE, new byte[] {0}, new Heartbeat(Side.SOURCE, seq, micros, micros, null));
            send(first, Side.TARGET, new byte[] {0}, new Heartbeat(Side.TARGET, seq, micros, micros, null));
        }
        for (long id = 1; id <= 40; id++) {
            send(first, Side.SOURCE, TopologyHarness.key(T, id), RowChange.upsert(Side.SOURCE, TopologyHarness.hash(id), micros, "p", false));
            send(first, Side.TARGET, TopologyHarness.key(T, id), RowChange.upsert(Side.TARGET, TopologyHarness.hash(id == 7 ? 700 : id), micros, "p", false));
        }
        send(first, Side.SOURCE, TopologyHarness.key(T, 41), RowChange.upsert(Side.SOURCE, TopologyHarness.hash(41), micros, "p", false)); // PENDING: not replicated yet
        for (long seq = 3; seq <= 5; seq++) {
            send(first, Side.SOURCE, new byte[] {0}, new Heartbeat(Side.SOURCE, seq, micros, micros, null));
            send(first, Side.TARGET, new byte[] {0}, new Heartbeat(Side.TARGET, seq, micros, micros, null));
        }
        Map<Bytes, ChunkState> truth = all(store(StoreNames.CHUNKS));
        Map<Bytes, MismatchEntry> truthIndex = all(store(StoreNames.MISMATCHES));
        assertThat(truthIndex.values()).extracting(MismatchEntry::verdict).containsExactlyInAnyOrder(Verdict.DIVERGENT, Verdict.DIVERGENT);

        // What a crash between two changelogs leaves: a change counted twice, the DIVERGENT key's entry lost, a stale entry for a matching key.
        KeyValueStore<Bytes, ChunkState> chunks = store(StoreNames.CHUNKS);
        KeyValueStore<Bytes, MismatchEntry> mismatches = store(StoreNames.MISMATCHES);
        Bytes someChunk = truth.keySet().iterator().next();
        ChunkState c = chunks.get(someChunk);
        chunks.put(someChunk, c.with(Side.TARGET, c.target().apply(null, TopologyHarness.hash(3))));
        byte[] divergent = TopologyHarness.key(T, 7);
        Bytes divergentEntry = Bytes.wrap(StoreKeys.mismatch(T, chunking.chunkOf(divergent), divergent));
        mismatches.delete(divergentEntry);
        byte[] fine = TopologyHarness.key(T, 12);
        mismatches.put(Bytes.wrap(StoreKeys.mismatch(T, chunking.chunkOf(fine), fine)), new MismatchEntry(Verdict.DIVERGENT, 3));
        Map<Bytes, ChunkState> damaged = all(chunks);
        assertThat(damaged).isNotEqualTo(truth);

        restart(false);
        assertThat(all(store(StoreNames.CHUNKS))).as("without the audit the damage stays").isEqualTo(damaged);

        Processor<Bytes, CaptureEvent, Void, Void> audited = restart(true);
        // Re-judged verdicts wait for a heartbeat after the restored ones (see the test below), then stand as before.
        heartbeats(audited, 6, 6);
        assertThat(all(store(StoreNames.CHUNKS))).as("rebuilt to what the uninterrupted run holds").isEqualTo(truth);
        Map<Bytes, MismatchEntry> index = all(store(StoreNames.MISMATCHES));
        assertThat(index.keySet()).isEqualTo(truthIndex.keySet());
        assertThat(index.get(divergentEntry).verdict()).as("the lost verdict judged again, from the same fences").isEqualTo(Verdict.DIVERGENT);
        KeyState seven = this.<KeyState>store(StoreNames.KEYS).get(Bytes.wrap(divergent));
        assertThat(seven.firstMismatchMillis()).isNotEqualTo(KeyState.NEVER);
    }

    @Test
    void shouldGiveEveryPendingKeyAWakeUpSoALostOneCannotStrandIt() {
        stores();
        Processor<Bytes, CaptureEvent, Void, Void> first = processor(false);
        first.init(context);
        send(first, Side.SOURCE, new byte[] {0}, new Heartbeat(Side.SOURCE, 1, 1, 1, null));
        send(first, Side.TARGET, new byte[] {0}, new Heartbeat(Side.TARGET, 1, 1, 1, null));
        byte[] key = TopologyHarness.key(T, 5);
        send(first, Side.SOURCE, key, RowChange.upsert(Side.SOURCE, TopologyHarness.hash(5), 1, "p", false));
        KeyValueStore<Bytes, byte[]> pending = store(StoreNames.PENDING);
        assertThat(all(pending)).hasSize(1);
        all(pending).keySet().forEach(pending::delete); // the wake-up lost
        restart(true);
        assertThat(all(pending).keySet()).contains(Bytes.wrap(StoreKeys.pending(MismatchEntry.UNKNOWN_DUE, key)));
    }

    /**
     * Exactly-once restarts too (README, "Disk"): the wake-up index has no changelog, so a task starts with it empty and
     * rebuilds it from the mismatch entries; a PENDING key is then judged when its due heartbeat passes, as without the
     * restart. Without the rebuild it would stay PENDING for ever.
     */
    @Test
    void shouldRebuildTheWakeUpsOfPendingKeysWhenATaskStartsWithAnEmptyIndex() {
        stores();
        Processor<Bytes, CaptureEvent, Void, Void> first = processor(false);
        first.init(context);
        heartbeats(first, 1, 1);
        byte[] key = TopologyHarness.key(T, 5);
        send(first, Side.SOURCE, key, RowChange.upsert(Side.SOURCE, TopologyHarness.hash(5), 1, "p", false)); // never replicated
        KeyValueStore<Bytes, byte[]> pending = store(StoreNames.PENDING);
        Map<Bytes, byte[]> wakeUps = all(pending);
        assertThat(wakeUps).hasSize(1);
        wakeUps.keySet().forEach(pending::delete); // what a restarted task's in-memory index holds: nothing

        Processor<Bytes, CaptureEvent, Void, Void> revived = restart(false);
        assertThat(all(pending).keySet()).as("given back, at the same due heartbeat").isEqualTo(wakeUps.keySet());
        heartbeats(revived, 2, 4);
        Bytes entry = Bytes.wrap(StoreKeys.mismatch(T, chunking.chunkOf(key), key));
        assertThat(this.<MismatchEntry>store(StoreNames.MISMATCHES).get(entry).verdict()).isEqualTo(Verdict.DIVERGENT);
        assertThat(all(pending)).isEmpty();
    }

    /**
     * Exactly-once restarts (README, "Disk"): the mismatch index has no changelog either; each mismatched key's state
     * carries its entry, so a task that starts with both indexes empty puts back every entry (verdict and due heartbeat)
     * and every wake-up exactly, the chunk counts agree with them, and the PENDING key is judged when its due heartbeat
     * passes, as without the restart.
     */
    @Test
    void shouldPutBackTheMismatchIndexFromTheKeyStatesWhenATaskStartsWithEmptyIndexes() {
        stores();
        Processor<Bytes, CaptureEvent, Void, Void> first = processor(false);
        first.init(context);
        heartbeats(first, 1, 1);
        byte[] divergent = TopologyHarness.key(T, 3);
        byte[] lagging = TopologyHarness.key(T, 4);
        send(first, Side.TARGET, divergent, RowChange.upsert(Side.TARGET, TopologyHarness.hash(3), 1, "p", false)); // the target's alone
        heartbeats(first, 2, 3);
        send(first, Side.SOURCE, lagging, RowChange.upsert(Side.SOURCE, TopologyHarness.hash(4), 1, "p", false)); // not replicated yet
        KeyValueStore<Bytes, MismatchEntry> mismatches = store(StoreNames.MISMATCHES);
        KeyValueStore<Bytes, byte[]> pending = store(StoreNames.PENDING);
        Map<Bytes, MismatchEntry> index = all(mismatches);
        Map<Bytes, byte[]> wakeUps = all(pending);
        Map<Bytes, ChunkState> chunks = all(store(StoreNames.CHUNKS));
        assertThat(index.values()).extracting(MismatchEntry::verdict).containsExactlyInAnyOrder(Verdict.DIVERGENT, Verdict.PENDING);
        assertThat(wakeUps).hasSize(1);
        index.keySet().forEach(mismatches::delete); // what a restarted task's in-memory indexes hold: nothing
        wakeUps.keySet().forEach(pending::delete);

        Processor<Bytes, CaptureEvent, Void, Void> revived = processor(false);
        revived.init(context);
        assertThat(all(mismatches)).as("every entry back, with its verdict and due heartbeat, before any record").isEqualTo(index);
        assertThat(all(pending).keySet()).isEqualTo(wakeUps.keySet());
        heartbeats(revived, 4, 5);
        assertThat(all(mismatches).values()).extracting(MismatchEntry::verdict).containsOnly(Verdict.DIVERGENT).hasSize(2);
        assertThat(chunks.values().stream().mapToLong(ChunkState::pendingKeys).sum()).as("before the restart").isEqualTo(1);
        assertThat(StateAuditTest.<ChunkState>all(store(StoreNames.CHUNKS)).values().stream().mapToLong(ChunkState::divergentKeys).sum()).isEqualTo(2);
        assertThat(StateAuditTest.<ChunkState>all(store(StoreNames.CHUNKS)).values().stream().mapToLong(ChunkState::pendingKeys).sum()).isZero();
    }

    /**
     * Key states stored before they carried their mismatch entries (format 4, an upgrade): a task finds such mismatched
     * keys with nothing to put back, judges them afresh and rebuilds the chunk counts, so no verdict is lost or counted
     * twice.
     */
    @Test
    void shouldJudgeAfreshTheMismatchedKeysOfAnEarlierFormatAndKeepTheCountsRight() {
        stores();
        Processor<Bytes, CaptureEvent, Void, Void> first = processor(false);
        first.init(context);
        heartbeats(first, 1, 1);
        byte[] divergent = TopologyHarness.key(T, 3);
        send(first, Side.TARGET, divergent, RowChange.upsert(Side.TARGET, TopologyHarness.hash(3), 1, "p", false));
        heartbeats(first, 2, 3);
        KeyValueStore<Bytes, KeyState> keys = store(StoreNames.KEYS);
        KeyValueStore<Bytes, MismatchEntry> mismatches = store(StoreNames.MISMATCHES);
        Map<Bytes, MismatchEntry> index = all(mismatches);
        Map<Bytes, ChunkState> chunks = all(store(StoreNames.CHUNKS));
        assertThat(index.values()).extracting(MismatchEntry::verdict).containsExactly(Verdict.DIVERGENT);
        keys.put(Bytes.wrap(divergent), keys.get(Bytes.wrap(divergent)).withMismatch(null)); // as format 4 stored it
        index.keySet().forEach(mismatches::delete);

        Processor<Bytes, CaptureEvent, Void, Void> revived = restart(false);
        heartbeats(revived, 4, 4);
        assertThat(all(mismatches)).as("judged afresh from the same fences").isEqualTo(index);
        assertThat(all(store(StoreNames.CHUNKS))).as("counted once").isEqualTo(chunks);
        assertThat(keys.get(Bytes.wrap(divergent)).mismatch()).isEqualTo(index.values().iterator().next());
    }

    @Test
    void shouldJudgeNoKeyBeforeItsReplayWhenTheWatermarksChangelogRanAheadOfTheKeys() {
        stores();
        Processor<Bytes, CaptureEvent, Void, Void> first = processor(false);
        first.init(context);
        heartbeats(first, 1, 2);
        byte[] key = TopologyHarness.key(T, 9);
        RowChange sourceInsert = RowChange.upsert(Side.SOURCE, TopologyHarness.hash(9), 1, "p", false);
        send(first, Side.SOURCE, key, sourceInsert);
        send(first, Side.TARGET, key, RowChange.upsert(Side.TARGET, TopologyHarness.hash(9), 1, "p", false));
        heartbeats(first, 3, 3);
        KeyValueStore<Bytes, KeyState> keys = store(StoreNames.KEYS);
        // The crash lost the key store's record of the source's insert but kept heartbeat 3 in the watermarks' changelog;
        // the input is replayed from before the insert.
        keys.put(Bytes.wrap(key), new KeyState(null, keys.get(Bytes.wrap(key)).side(Side.TARGET), KeyState.NEVER));
        Bytes entry = Bytes.wrap(StoreKeys.mismatch(T, chunking.chunkOf(key), key));

        Processor<Bytes, CaptureEvent, Void, Void> revived = processor(true);
        revived.init(context);
        send(revived, Side.TARGET, new byte[] {0}, new Heartbeat(Side.TARGET, 2, 1, 1, null)); // replayed: audited before it
        MismatchEntry judged = this.<MismatchEntry>store(StoreNames.MISMATCHES).get(entry);
        assertThat(judged.verdict()).as("fences from heartbeats the source's replay has not reached yet: not a verdict").isEqualTo(Verdict.PENDING);
        assertThat(judged.due()).as("due after every heartbeat the restored stores had seen").isEqualTo(4);
        send(revived, Side.SOURCE, key, sourceInsert); // the replay puts the lost change back
        assertThat(this.<MismatchEntry>store(StoreNames.MISMATCHES).get(entry)).isNull();

        // A real difference is still judged once both streams pass the floor.
        byte[] other = TopologyHarness.key(T, 10);
        send(revived, Side.TARGET, other, RowChange.upsert(Side.TARGET, TopologyHarness.hash(10), 1, "p", false));
        heartbeats(revived, 4, 4);
        assertThat(this.<MismatchEntry>store(StoreNames.MISMATCHES).get(Bytes.wrap(StoreKeys.mismatch(T, chunking.chunkOf(other), other))).verdict())
                .isEqualTo(Verdict.DIVERGENT);
    }

    private void heartbeats(Processor<Bytes, CaptureEvent, Void, Void> p, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            send(p, Side.SOURCE, new byte[] {0}, new Heartbeat(Side.SOURCE, seq, 1, 1, null));
            send(p, Side.TARGET, new byte[] {0}, new Heartbeat(Side.TARGET, seq, 1, 1, null));
        }
    }

    /** A new processor on the same stores, as after a restart, given its first record: a heartbeat replayed (a no-op itself). */
    private Processor<Bytes, CaptureEvent, Void, Void> restart(boolean audit) {
        Processor<Bytes, CaptureEvent, Void, Void> p = processor(audit);
        p.init(context);
        send(p, Side.SOURCE, new byte[] {0}, new Heartbeat(Side.SOURCE, 1, 1, 1, null));
        return p;
    }

    private Processor<Bytes, CaptureEvent, Void, Void> processor(boolean audit) {
        return ReconcilerTopology.processor(new ReconcilerSettings("s", "t", chunking, 0).withAuditOnStart(audit));
    }

    private void send(Processor<Bytes, CaptureEvent, Void, Void> p, Side side, byte[] key, CaptureEvent e) {
        p.process(new Record<>(Bytes.wrap(key), e, 0L));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void stores() {
        context.setCurrentSystemTimeMs(1_767_225_600_000L);
        for (StoreBuilder<?> b : ReconcilerTopology.stores(false)) {
            KeyValueStore store = (KeyValueStore) ((StoreBuilder) b).withLoggingDisabled().withCachingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
    }

    private <V> KeyValueStore<Bytes, V> store(String name) {
        return context.getStateStore(name);
    }

    private static <V> Map<Bytes, V> all(KeyValueStore<Bytes, V> store) {
        Map<Bytes, V> out = new TreeMap<>();
        try (KeyValueIterator<Bytes, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, V> kv = it.next();
                out.put(kv.key, kv.value);
            }
        }
        return out;
    }
}
