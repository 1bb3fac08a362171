package dev.parity.api.bench;

import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.topology.ReconcilerSettings;
import dev.parity.reconciler.topology.ReconcilerTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.CaptureEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The reconciler alone: the production processor and RocksDB stores, driven in-process (no broker,
 * no changelog: this measures processing, state and serde, not Kafka I/O; TopologyTestDriver is not
 * usable here, it commits, and so flushes RocksDB, after every record), fed
 * pre-encoded capture events shaped like a replicated workload. Phase 1 loads {@code keys} rows on
 * both sides (a snapshot); phase 2 replays {@code updates} changes, each on the source then the
 * target, with a heartbeat on both streams every {@code heartbeatEvery} changes. Reports events per
 * second per phase and the RocksDB bytes per key once the stores are flushed and compacted.
 */
public final class ReconcilerThroughput {
    /** @param keyBytes canonical key size of the rows used; @param stateBytesPerKey on-disk SST bytes of every store / keys */
    public record Result(long keys, long loadEvents, double loadEventsPerSecond, long updateEvents, double updateEventsPerSecond,
                         long stateBytes, double stateBytesPerKey, int keyBytes, double initialLoadKeysPerSecond) {
    }

    /** Keys per initial-load record, as Parity's own load sends them. */
    private static final int LOAD_RECORD_KEYS = 2_000;

    private ReconcilerThroughput() {
    }

    public static Result run(int keys, int updates, int heartbeatEvery) throws IOException {
        Path dir = Files.createTempDirectory("parity-bench-streams");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "parity-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, dev.parity.reconciler.topology.ParityRocksDbConfig.class);
        ReconcilerSettings settings = new ReconcilerSettings("bench.source", "bench.target", new Chunking(10), 0);
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>(props, new org.apache.kafka.streams.processor.TaskId(0, 0), dir.toFile());
        List<StateStore> stores = new ArrayList<>();
        for (StoreBuilder<?> b : ReconcilerTopology.stores(true)) {
            StateStore store = b.withLoggingDisabled().withCachingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            stores.add(store);
        }
        context.setCurrentSystemTimeMs(System.currentTimeMillis());
        Processor<Bytes, CaptureEvent, Void, Void> processor = ReconcilerTopology.processor(settings);
        processor.init(context);
        Feed feed = new Feed(processor, stores);
        byte[][] keyOf = new byte[keys][];
        CanonicalWriter w = new CanonicalWriter();
        for (int i = 0; i < keys; i++) {
            keyOf[i] = w.reset().table("bench.orders").column("id").integer(i).toByteArray();
        }
        long seq = 1;
        feed.heartbeat(seq++);
        long start = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            String pos = "mariadb-bin.000001:" + (4 + i * 180L);
            feed.send(keyOf[i], RowChange.upsert(Side.SOURCE, hash(i, 0), 1L, pos, true));
            feed.send(keyOf[i], RowChange.upsert(Side.TARGET, hash(i, 0), 1L, pos, true));
        }
        feed.heartbeat(seq++);
        long loadEvents = feed.events;
        double loadRate = loadEvents / ((System.nanoTime() - start) / 1e9);
        SplittableRandom random = new SplittableRandom(42);
        start = System.nanoTime();
        for (int u = 1; u <= updates; u++) {
            int k = random.nextInt(keys);
            String pos = "mariadb-bin.000002:" + (u * 200L);
            feed.send(keyOf[k], RowChange.upsert(Side.SOURCE, hash(k, u), u, pos, false));
            feed.send(keyOf[k], RowChange.upsert(Side.TARGET, hash(k, u), u, pos, false));
            if (u % heartbeatEvery == 0) {
                feed.heartbeat(seq++);
            }
        }
        long updateEvents = feed.events - loadEvents;
        double updateRate = updateEvents / ((System.nanoTime() - start) / 1e9);
        // Phase 3: Parity's own initial load of a second table, both sides' hashes per key in records of
        // LOAD_RECORD_KEYS keys (BaselineBatch), read under the last heartbeat, applied once it is passed.
        long guard = seq - 1;
        feed.heartbeat(seq++);
        start = System.nanoTime();
        List<BaselineBatch.Entry> entries = new ArrayList<>(LOAD_RECORD_KEYS);
        for (int i = 0; i < keys; i++) {
            byte[] key = w.reset().table("bench.accounts").column("id").integer(i).toByteArray();
            Hash128 h = hash(i, -1);
            entries.add(new BaselineBatch.Entry(key, h, h));
            if (entries.size() == LOAD_RECORD_KEYS || i == keys - 1) {
                feed.send(entries.get(0).key(), new BaselineBatch(guard, guard, 1L, entries));
                entries.clear();
            }
        }
        double initialLoadRate = keys / ((System.nanoTime() - start) / 1e9);
        feed.flush();
        stores.forEach(StateStore::close);
        long stateBytes;
        try (Stream<Path> files = Files.walk(dir)) {
            stateBytes = files.filter(p -> p.toString().endsWith(".sst")).mapToLong(ReconcilerThroughput::size).sum();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return new Result(keys, loadEvents, loadRate, updateEvents, updateRate, stateBytes, (double) stateBytes / (2.0 * keys), keyOf[keys / 2].length,
                initialLoadRate);
    }

    /**
     * Hands events to the processor as a Streams task would: encoded on the wire, decoded per record,
     * stores flushed every 100 ms (each commit flushes them; Parity now commits every 1 s, but 100 ms keeps
     * these figures comparable with the earlier ones in BENCHMARKS.md; {@code -Dparity.bench.commitMs=1000}
     * for the current interval).
     */
    private static final class Feed {
        static final long COMMIT_NANOS = Long.getLong("parity.bench.commitMs", 100) * 1_000_000L;
        private final Processor<Bytes, CaptureEvent, Void, Void> processor;
        private final List<StateStore> stores;
        private final CaptureEventSerde serde = new CaptureEventSerde();
        private long lastCommit = System.nanoTime();
        long events;

        Feed(Processor<Bytes, CaptureEvent, Void, Void> processor, List<StateStore> stores) {
            this.processor = processor;
            this.stores = stores;
        }

        void send(byte[] key, CaptureEvent event) {
            byte[] wire = CaptureEventSerde.encode(event);
            processor.process(new Record<>(Bytes.wrap(key), serde.deserialize("t", wire), 0L));
            events++;
            if (System.nanoTime() - lastCommit > COMMIT_NANOS) {
                flush();
            }
        }

        void heartbeat(long seq) {
            send(new byte[] {0}, new Heartbeat(Side.SOURCE, seq, seq, seq, null));
            send(new byte[] {0}, new Heartbeat(Side.TARGET, seq, seq, seq, null));
        }

        void flush() {
            stores.forEach(StateStore::flush);
            lastCommit = System.nanoTime();
        }
    }

    private static Hash128 hash(int key, int version) {
        byte[] b = new byte[8];
        long v = ((long) key << 20) ^ version;
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return RowHashing.hash128(b, 0, 8);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    public static void main(String[] args) throws IOException {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int updates = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Result warm = run(Math.min(keys, 20_000), Math.min(updates, 20_000), 1000); // JIT warm-up, discarded
        Result r = run(keys, updates, 1000);
        System.out.println("warm-up " + warm + "\nmeasured " + r);
    }
}
