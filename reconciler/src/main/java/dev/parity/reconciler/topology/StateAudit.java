package dev.parity.reconciler.topology;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.ChunkState;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.StoreKeys;
import dev.parity.reconciler.state.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Brings one task's derived stores back in line with its key states (README, "When things fail").
 *
 * <p>The chunk digests are sums over the keys' hashes, kept by applying each change's difference, and the mismatch
 * index and counts follow each key's verdict. Under exactly-once processing every store and the input offsets commit
 * together, so they cannot disagree. Under at-least-once a crash can leave one store's changelog ahead of another's:
 * the replayed change then finds its key already updated, applies a zero difference, and the digest stays off for
 * good (a chunk PENDING forever, or a count that never returns to zero). So each task, when it starts under
 * at-least-once, recomputes from the key store: each chunk's digests; which mismatch entries still belong to a
 * mismatched key (the rest are dropped); each chunk's pending and divergent counts from those entries. Keys
 * mismatched without an entry are handed back to be judged afresh, and every PENDING key gets a wake-up for the
 * next heartbeat, so none waits on a wake-up the crash lost. The transient count (mismatches that resolved in time)
 * is history, not derived, and is kept. One pass over the task's keys.
 */
final class StateAudit {
    /** What the audit changed; all zero when the stores agreed. */
    record Result(int chunksRewritten, int staleEntries, List<byte[]> unjudged) {
    }

    private StateAudit() {
    }

    static Result run(Chunking chunking, KeyValueStore<Bytes, KeyState> keys, KeyValueStore<Bytes, ChunkState> chunks,
                      KeyValueStore<Bytes, MismatchEntry> mismatches, KeyValueStore<Bytes, byte[]> pending) {
        Map<Bytes, Digest[]> digests = new HashMap<>();
        Set<Bytes> mismatched = new HashSet<>();
        try (KeyValueIterator<Bytes, KeyState> it = keys.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, KeyState> kv = it.next();
                byte[] rowKey = kv.key.get();
                Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(CanonicalReader.tableOf(rowKey), chunking.chunkOf(rowKey)));
                Digest[] d = digests.computeIfAbsent(chunkKey, k -> new Digest[] {Digest.EMPTY, Digest.EMPTY});
                boolean content = CanonicalReader.isContentKey(rowKey);
                for (Side side : Side.values()) {
                    if (kv.value.hash(side) != null) {
                        d[side.ordinal()] = d[side.ordinal()].apply(rowKey, content, null, kv.value.hash(side));
                    }
                }
                if (!kv.value.matches()) {
                    mismatched.add(kv.key);
                }
            }
        }
        Map<Bytes, long[]> counts = new HashMap<>(); // chunk → {pending, divergent}
        Set<Bytes> indexed = new HashSet<>();
        List<Bytes> stale = new ArrayList<>();
        try (KeyValueIterator<Bytes, MismatchEntry> it = mismatches.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, MismatchEntry> kv = it.next();
                byte[] rowKey = StoreKeys.rowKeyOfMismatch(kv.key.get());
                Bytes row = Bytes.wrap(rowKey);
                if (!mismatched.contains(row)) {
                    stale.add(kv.key);
                    continue;
                }
                indexed.add(row);
                Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(CanonicalReader.tableOf(rowKey), StoreKeys.chunkOfMismatch(kv.key.get())));
                long[] c = counts.computeIfAbsent(chunkKey, k -> new long[2]);
                if (kv.value.verdict() == Verdict.PENDING) {
                    c[0]++;
                    pending.put(Bytes.wrap(StoreKeys.pending(MismatchEntry.UNKNOWN_DUE, rowKey)), new byte[0]);
                } else if (kv.value.verdict() == Verdict.DIVERGENT) {
                    c[1]++;
                }
            }
        }
        stale.forEach(mismatches::delete);
        Set<Bytes> chunkKeys = new HashSet<>(digests.keySet());
        chunkKeys.addAll(counts.keySet());
        try (KeyValueIterator<Bytes, ChunkState> it = chunks.all()) {
            while (it.hasNext()) {
                chunkKeys.add(it.next().key);
            }
        }
        int rewritten = 0;
        for (Bytes chunkKey : chunkKeys) {
            ChunkState was = chunks.get(chunkKey);
            Digest[] d = digests.getOrDefault(chunkKey, new Digest[] {Digest.EMPTY, Digest.EMPTY});
            long[] c = counts.getOrDefault(chunkKey, new long[2]);
            ChunkState now = new ChunkState(d[0], d[1], c[0], c[1], was == null ? 0 : was.transientMismatches());
            if (!now.equals(was == null ? ChunkState.EMPTY : was)) {
                rewritten++;
                if (now.isEmpty()) {
                    chunks.delete(chunkKey);
                } else {
                    chunks.put(chunkKey, now);
                }
            }
        }
        List<byte[]> unjudged = new ArrayList<>();
        for (Bytes row : mismatched) {
            if (!indexed.contains(row)) {
                unjudged.add(row.get());
            }
        }
        return new Result(rewritten, stale.size(), unjudged);
    }
}
