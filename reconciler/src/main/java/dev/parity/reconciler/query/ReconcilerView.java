package dev.parity.reconciler.query;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.ChunkState;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.StoreKeys;
import dev.parity.reconciler.state.Verdict;
import dev.parity.reconciler.state.Watermark;
import dev.parity.reconciler.topology.StoreNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers the API's questions from the reconciler's stores. Cost: a table summary reads the table's
 * non-empty chunks (at most 2^bits entries); a divergence listing reads only mismatched keys.
 */
public final class ReconcilerView {
    private static final BytesSerializer BYTES = new BytesSerializer();

    private final StoreAccess stores;
    private final Chunking chunking;

    public ReconcilerView(StoreAccess stores, Chunking chunking) {
        this.stores = stores;
        this.chunking = chunking;
    }

    public Chunking chunking() {
        return chunking;
    }

    /** Every table that has state, by name. Tables with no rows on either side do not appear. */
    public Map<String, TableSummary> tables() {
        Map<String, Acc> acc = new TreeMap<>();
        ReadOnlyKeyValueStore<Bytes, ChunkState> chunks = stores.store(StoreNames.CHUNKS);
        try (KeyValueIterator<Bytes, ChunkState> it = chunks.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, ChunkState> kv = it.next();
                acc.computeIfAbsent(StoreKeys.parseChunk(kv.key.get()).table(), t -> new Acc()).add(kv.value);
            }
        }
        Map<String, TableSummary> out = new TreeMap<>();
        acc.forEach((table, a) -> out.put(table, a.summary(table, chunking.chunkCount())));
        return out;
    }

    /** One table's summary; an all-empty summary when Parity holds no rows of it. */
    public TableSummary table(String table) {
        Acc a = new Acc();
        ReadOnlyKeyValueStore<Bytes, ChunkState> chunks = stores.store(StoreNames.CHUNKS);
        try (KeyValueIterator<Bytes, ChunkState> it = chunks.prefixScan(Bytes.wrap(StoreKeys.tablePrefix(table)), BYTES)) {
            while (it.hasNext()) {
                KeyValue<Bytes, ChunkState> kv = it.next();
                if (StoreKeys.parseChunk(kv.key.get()).table().equals(table)) {
                    a.add(kv.value);
                }
            }
        }
        return a.summary(table, chunking.chunkCount());
    }

    /** A table's non-empty chunks in chunk order (at most 2^bits); a chunk absent here holds no row on either side. */
    public List<ChunkView> chunks(String table) {
        Map<Integer, ChunkView> out = new TreeMap<>();
        ReadOnlyKeyValueStore<Bytes, ChunkState> chunks = stores.store(StoreNames.CHUNKS);
        try (KeyValueIterator<Bytes, ChunkState> it = chunks.prefixScan(Bytes.wrap(StoreKeys.tablePrefix(table)), BYTES)) {
            while (it.hasNext()) {
                KeyValue<Bytes, ChunkState> kv = it.next();
                StoreKeys.ChunkRef ref = StoreKeys.parseChunk(kv.key.get());
                if (ref.table().equals(table)) {
                    ChunkState c = kv.value;
                    out.put(ref.chunk(), new ChunkView(ref.chunk(), c.verdict(), c.source().count(), c.target().count(), c.pendingKeys(), c.divergentKeys()));
                }
            }
        }
        return List.copyOf(out.values());
    }

    /** The summary of a table with no rows on either side. */
    public TableSummary emptySummary(String table) {
        return new Acc().summary(table, chunking.chunkCount());
    }

    /** Mismatched keys, by table and chunk; {@code table} null for all tables. At most {@code limit}. */
    public List<DivergenceView> divergences(String table, int limit) {
        ReadOnlyKeyValueStore<Bytes, MismatchEntry> mismatches = stores.store(StoreNames.MISMATCHES);
        ReadOnlyKeyValueStore<Bytes, KeyState> keys = stores.store(StoreNames.KEYS);
        List<DivergenceView> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, MismatchEntry> it = table == null
                ? mismatches.all()
                : mismatches.prefixScan(Bytes.wrap(StoreKeys.tablePrefix(table)), BYTES)) {
            while (it.hasNext() && out.size() < limit) {
                KeyValue<Bytes, MismatchEntry> kv = it.next();
                byte[] rowKey = StoreKeys.rowKeyOfMismatch(kv.key.get());
                String t = CanonicalReader.tableOf(rowKey);
                if (table != null && !t.equals(table)) {
                    continue;
                }
                KeyState ks = keys.get(Bytes.wrap(rowKey));
                if (ks == null) {
                    continue; // a concurrent update removed it between the two reads
                }
                out.add(view(t, StoreKeys.chunkOfMismatch(kv.key.get()), rowKey, kv.value, ks));
            }
        }
        return out;
    }

    /**
     * First-seen time of the longest-waiting PENDING key, or null when none is pending. Examines at most
     * {@code scan} keys in due order (the earliest-due keys are the longest-waiting ones, except keys that
     * keep changing), so it stays cheap during a long stall with many pending keys.
     */
    public Long oldestPendingMillis(int scan) {
        ReadOnlyKeyValueStore<Bytes, byte[]> pending = stores.store(StoreNames.PENDING);
        ReadOnlyKeyValueStore<Bytes, KeyState> keys = stores.store(StoreNames.KEYS);
        long oldest = Long.MAX_VALUE;
        int seen = 0;
        try (KeyValueIterator<Bytes, byte[]> it = pending.all()) {
            while (it.hasNext() && seen++ < scan) {
                KeyState ks = keys.get(Bytes.wrap(StoreKeys.rowKeyOfPending(it.next().key.get())));
                if (ks != null && ks.firstMismatchMillis() != KeyState.NEVER) {
                    oldest = Math.min(oldest, ks.firstMismatchMillis());
                }
            }
        }
        return oldest == Long.MAX_VALUE ? null : oldest;
    }

    /**
     * PENDING keys whose last change on every side that has one was stamped before heartbeat {@code seq}:
     * changes that precede a readiness fence and still have no verdict. At most {@code limit} returned.
     */
    public List<DivergenceView> pendingBefore(long seq, int limit) {
        ReadOnlyKeyValueStore<Bytes, MismatchEntry> mismatches = stores.store(StoreNames.MISMATCHES);
        ReadOnlyKeyValueStore<Bytes, KeyState> keys = stores.store(StoreNames.KEYS);
        List<DivergenceView> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, MismatchEntry> it = mismatches.all()) {
            while (it.hasNext() && out.size() < limit) {
                KeyValue<Bytes, MismatchEntry> kv = it.next();
                if (kv.value.verdict() != Verdict.PENDING) {
                    continue;
                }
                byte[] rowKey = StoreKeys.rowKeyOfMismatch(kv.key.get());
                KeyState ks = keys.get(Bytes.wrap(rowKey));
                if (ks != null && before(ks.source(), seq) && before(ks.target(), seq)) {
                    out.add(view(CanonicalReader.tableOf(rowKey), StoreKeys.chunkOfMismatch(kv.key.get()), rowKey, kv.value, ks));
                }
            }
        }
        return out;
    }

    private static boolean before(SideState s, long seq) {
        return s == null || s.stamp() < seq;
    }

    /** Both sides' state of one row key; null when Parity holds none. */
    public KeyState key(byte[] rowKey) {
        ReadOnlyKeyValueStore<Bytes, KeyState> keys = stores.store(StoreNames.KEYS);
        return keys.get(Bytes.wrap(rowKey));
    }

    /**
     * The states of many keys, in their order (null where a key has none): each looked up in the store of its own
     * partition (of {@code partitions}), each store opened once for all of them — the verification sweep's page of rows,
     * where a look-up through every partition's store per row was most of the sweep's cost.
     */
    public KeyState[] keys(List<byte[]> rowKeys, int partitions) {
        if (partitions <= 0) { // not started: no partitions to route by
            return rowKeys.stream().map(this::key).toArray(KeyState[]::new);
        }
        List<ReadOnlyKeyValueStore<Bytes, KeyState>> byPartition = new ArrayList<>(java.util.Collections.nCopies(partitions, null));
        KeyState[] out = new KeyState[rowKeys.size()];
        for (int i = 0; i < out.length; i++) {
            byte[] key = rowKeys.get(i);
            int p = chunking.partitionOf(key, partitions);
            ReadOnlyKeyValueStore<Bytes, KeyState> store = byPartition.get(p);
            if (store == null) {
                store = stores.store(StoreNames.KEYS, p);
                byPartition.set(p, store);
            }
            out[i] = store.get(Bytes.wrap(key));
        }
        return out;
    }

    /** Every key of a table with its state, in store order (not the database's key order). */
    public void forEachKey(String table, java.util.function.BiConsumer<byte[], KeyState> action) {
        ReadOnlyKeyValueStore<Bytes, KeyState> keys = stores.store(StoreNames.KEYS);
        try (KeyValueIterator<Bytes, KeyState> it = keys.prefixScan(Bytes.wrap(StoreKeys.tablePrefix(table)), BYTES)) {
            while (it.hasNext()) {
                KeyValue<Bytes, KeyState> kv = it.next();
                if (CanonicalReader.tableOf(kv.key.get()).equals(table)) {
                    action.accept(kv.key.get(), kv.value);
                }
            }
        }
    }

    /** The newest heartbeat each side's stream delivered, per partition-local store. */
    public List<Watermark> watermarks(Side side) {
        ReadOnlyKeyValueStore<Bytes, Watermark> store = stores.store(StoreNames.WATERMARKS);
        List<Watermark> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, Watermark> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, Watermark> kv = it.next();
                if (new String(kv.key.get(), java.nio.charset.StandardCharsets.UTF_8).equals(side.label())) {
                    out.add(kv.value);
                }
            }
        }
        return out;
    }

    private static DivergenceView view(String table, int chunk, byte[] rowKey, MismatchEntry entry, KeyState ks) {
        boolean onSource = ks.hash(Side.SOURCE) != null;
        boolean onTarget = ks.hash(Side.TARGET) != null;
        DivergenceView.Kind kind = onSource && onTarget ? DivergenceView.Kind.MISMATCH
                : onSource ? DivergenceView.Kind.MISSING_ON_TARGET : DivergenceView.Kind.EXTRA_ON_TARGET;
        return new DivergenceView(table, chunk, CanonicalReader.keyColumns(rowKey), entry.verdict(), kind,
                ks.firstMismatchMillis(), position(ks.source()), position(ks.target()), provenance(ks.source()), provenance(ks.target()), rowKey, ks);
    }

    private static dev.parity.reconciler.state.Provenance provenance(SideState s) {
        return s == null ? null : s.provenance();
    }

    private static String position(SideState s) {
        return s == null || s.position().isEmpty() ? null : s.position();
    }

    private static final class Acc {
        Digest source = Digest.EMPTY;
        Digest target = Digest.EMPTY;
        int notInSync;
        int pendingChunks;
        int divergentChunks;
        long pending;
        long divergent;
        long transients;

        void add(ChunkState c) {
            source = source.plus(c.source());
            target = target.plus(c.target());
            Verdict v = c.verdict();
            if (v != Verdict.IN_SYNC) {
                notInSync++;
            }
            if (v == Verdict.PENDING) {
                pendingChunks++;
            } else if (v == Verdict.DIVERGENT) {
                divergentChunks++;
            }
            pending += c.pendingKeys();
            divergent += c.divergentKeys();
            transients += c.transientMismatches();
        }

        TableSummary summary(String table, int chunkCount) {
            return new TableSummary(table, source, target, chunkCount, chunkCount - notInSync,
                    pendingChunks, divergentChunks, pending, divergent, transients);
        }
    }
}
