package dev.parity.reconciler.topology;

import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.Observation;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.query.StoreAccess;
import dev.parity.reconciler.query.TableSummary;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Drives the real topology with TopologyTestDriver; one instance per test. */
final class TopologyHarness implements AutoCloseable {
    static final String SOURCE_TOPIC = "parity.test.source";
    static final String TARGET_TOPIC = "parity.test.target";

    final TopologyTestDriver driver;
    final ReconcilerView view;
    /** Shared with the processors, as the application shares it (the load window, input positions). */
    final ReconcilerLink link;
    private final TestInputTopic<Bytes, CaptureEvent> source;
    private final TestInputTopic<Bytes, CaptureEvent> target;
    private Instant time = Instant.parse("2026-01-01T00:00:00Z");

    TopologyHarness(int chunkBits, int extraHeartbeats) {
        this(chunkBits, extraHeartbeats, true);
    }

    TopologyHarness(int chunkBits, int extraHeartbeats, boolean persistent) {
        this(new ReconcilerSettings(SOURCE_TOPIC, TARGET_TOPIC, new Chunking(chunkBits), extraHeartbeats), persistent);
    }

    TopologyHarness(ReconcilerSettings settings, boolean persistent) {
        Chunking chunking = settings.chunking();
        link = settings.link();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "parity-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("parity-ttd").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(
                ReconcilerTopology.build(settings, persistent), props, time);
        source = driver.createInputTopic(SOURCE_TOPIC, new BytesSerializer(), new CaptureEventSerde());
        target = driver.createInputTopic(TARGET_TOPIC, new BytesSerializer(), new CaptureEventSerde());
        view = new ReconcilerView(new StoreAccess() {
            @Override
            public <V> ReadOnlyKeyValueStore<Bytes, V> store(String name) {
                return driver.getKeyValueStore(name);
            }
        }, chunking);
    }

    TopologyHarness() {
        this(4, 0);
    }

    static byte[] key(String table, long id) {
        return new CanonicalWriter().table(table).column("id").integer(id).toByteArray();
    }

    static Hash128 hash(long v) {
        return new Hash128(v * 0x9E3779B97F4A7C15L, ~v * 0xC2B2AE3D27D4EB4FL);
    }

    void upsert(Side side, byte[] key, Hash128 hash) {
        send(side, key, upsertEvent(side, hash));
    }

    RowChange upsertEvent(Side side, Hash128 hash) {
        return RowChange.upsert(side, hash, time.toEpochMilli() * 1000, "pos", false);
    }

    void delete(Side side, byte[] key) {
        send(side, key, deleteEvent(side));
    }

    RowChange deleteEvent(Side side) {
        return RowChange.delete(side, time.toEpochMilli() * 1000, "pos");
    }

    /** A sweep's observation: the row as read after heartbeat {@code guard}; null hash: no such row. */
    void observe(Side side, byte[] key, Hash128 hash, long guard) {
        send(side, key, new Observation(side, hash, guard, guard, time.toEpochMilli() * 1000));
    }

    /** Parity's initial load: both sides of a key read after heartbeats {@code sourceGuard} and {@code targetGuard}. */
    void baseline(byte[] key, Hash128 source, long sourceGuard, Hash128 target, long targetGuard) {
        send(Side.SOURCE, key, new dev.parity.reconciler.model.Baseline(source, sourceGuard, target, targetGuard, time.toEpochMilli() * 1000));
    }

    void tombstone(Side side, byte[] key) {
        send(side, key, null);
    }

    void heartbeat(Side side, long seq) {
        send(side, new byte[] {0}, heartbeatEvent(side, seq));
    }

    Heartbeat heartbeatEvent(Side side, long seq) {
        return new Heartbeat(side, seq, time.toEpochMilli() * 1000, time.toEpochMilli() * 1000, null);
    }

    /** A heartbeat seen by both streams: replication fully caught up to it. */
    void heartbeatBoth(long seq) {
        heartbeat(Side.SOURCE, seq);
        heartbeat(Side.TARGET, seq);
    }

    void send(Side side, byte[] key, CaptureEvent event) {
        (side == Side.SOURCE ? source : target).pipeInput(Bytes.wrap(key), event, time);
    }

    void advance(Duration d) {
        time = time.plus(d);
        driver.advanceWallClockTime(d);
    }

    TableSummary table(String name) {
        return view.table(name);
    }

    @Override
    public void close() {
        driver.close();
    }
}
