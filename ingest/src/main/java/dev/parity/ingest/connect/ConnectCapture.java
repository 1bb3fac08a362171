package dev.parity.ingest.connect;

import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.debezium.RecordMapper;
import dev.parity.ingest.kafka.CaptureSink;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side's capture from Kafka Connect (config {@code capture.mode: connect}, README "Deployment"): reads the
 * topics a Debezium connector on the user's Connect cluster writes ({@code <topic.prefix>.<namespace>.<table>},
 * Debezium's envelope in Connect's JSON converter with schemas), maps each record with the same
 * {@link RecordMapper} as the embedded engine (so a row hashes the same either way), restores commit order
 * against the heartbeats ({@link CommitOrder}) and produces Parity's events to the side's topic. Its consumer
 * offsets are committed only past records whose events Kafka acknowledged, and never past a record still
 * waiting for its heartbeat: a crash replays, never skips.
 */
public final class ConnectCapture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectCapture.class);

    private final String name;
    private final String topicPrefix;
    private final String heartbeatTable;
    private final Positions positions;
    private final RecordMapper mapper;
    private final CaptureSink sink;
    private final CaptureStatus status;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final JsonConverter keys = new JsonConverter();
    private final JsonConverter values = new JsonConverter();
    private final CommitOrder<Pending> order = new CommitOrder<>();
    private final Map<String, Long> snapshotRows = new HashMap<>();
    /**
     * Per partition, the next offset not yet taken in. A rebalance (every new table's topic causes one) rewinds the
     * consumer to its committed offsets, behind records still waiting here: taken twice, a keyless table's copy
     * would count twice.
     */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /**
     * PostgreSQL: per partition, the commit position of the newest streamed change taken in. Connect delivers at
     * least once: a connector task restarted (a worker rebalance, a new connector) resends the changes since its
     * last flushed offset, and a keyless table's copy resent would count twice. A topic partition holds its
     * table's changes in commit order and each PostgreSQL change has its own position, so one at or before the
     * newest is a resend. (Binlog positions are not unique per change: not deduplicated, README "Deployment".)
     */
    private final Map<TopicPartition, long[]> newestStreamed = new HashMap<>();
    private final Thread thread;
    /** Topics under the prefix whose records are not Debezium changes (warned about once). */
    private final java.util.Set<String> foreign = new java.util.HashSet<>();
    private volatile boolean closing;
    private final boolean uniquePositions;

    /** A consumed record mapped, with where it came from (for offsets). */
    private record Pending(List<MappedRecord> events, TopicPartition from, long offset, boolean snapshot, String table) {
    }

    /**
     * @param kafka          the user's Kafka cluster (the one Connect writes to)
     * @param groupId        this capture's consumer group: its committed offsets are where a restart resumes
     * @param topicPrefix    the connector's {@code topic.prefix}
     * @param heartbeatTable this side's heartbeat table, as the connector names it ({@code namespace.table})
     */
    public ConnectCapture(String name, Map<String, Object> kafka, String groupId, String topicPrefix, String heartbeatTable, Positions positions,
                          RecordMapper mapper, CaptureSink sink, CaptureStatus status, Clock clock) {
        this.name = name;
        this.topicPrefix = topicPrefix;
        this.heartbeatTable = heartbeatTable;
        this.positions = positions;
        this.uniquePositions = positions == Positions.POSTGRES;
        this.mapper = mapper;
        this.sink = sink;
        this.status = status;
        this.clock = clock;
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // a first start reads the connector's snapshot
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000); // topics of newly captured tables are found within seconds
        // Where another instance takes this capture over from a dead one (README, "Deployment"), the group waits this long for the dead member.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        keys.configure(Map.of("schemas.enable", "true", "converter.type", "key"), true);
        values.configure(Map.of("schemas.enable", "true", "converter.type", "value"), false);
        this.thread = new Thread(this::run, "parity-connect-" + name);
    }

    public void start() {
        consumer.subscribe(Pattern.compile(Pattern.quote(topicPrefix) + "\\..+"));
        thread.start();
        LOG.info("capture {} reads Kafka Connect topics {}.*", name, topicPrefix);
    }

    private void run() {
        try {
            while (!closing) {
                var records = consumer.poll(Duration.ofMillis(250));
                List<Pending> out = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.addAll(offer(r));
                }
                out.addAll(releaseHeartbeats());
                if (!out.isEmpty()) {
                    forward(out);
                }
                commit(records.partitions());
            }
        } catch (WakeupException e) {
            if (!closing) {
                throw e;
            }
        } catch (RuntimeException | InterruptedException e) {
            LOG.error("capture {} stopped: {}", name, e.getMessage(), e);
            status.stopped(e.getMessage());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Decodes and maps one record; returns what may go out now ({@link CommitOrder}). */
    private List<Pending> offer(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.offset() < next.getOrDefault(tp, 0L)) {
            return List.of(); // already taken in by this process (waiting or sent): redelivered after a rebalance
        }
        next.put(tp, r.offset() + 1);
        if (r.value() == null) {
            return List.of(); // a tombstone after a delete
        }
        SchemaAndValue k;
        SchemaAndValue v;
        try {
            k = r.key() == null ? SchemaAndValue.NULL : keys.toConnectData(r.topic(), r.key());
            v = values.toConnectData(r.topic(), r.value());
        } catch (org.apache.kafka.connect.errors.DataException e) {
            // Not a Debezium change in Connect's JSON with schemas: another topic under the prefix. Said once per topic.
            if (foreign.add(r.topic())) {
                LOG.warn("capture {}: topic {} does not hold Debezium changes as JSON with schemas ({}); its records are skipped", name,
                        r.topic(), e.getMessage());
            }
            return List.of();
        }
        SourceRecord record = new SourceRecord(null, null, r.topic(), null, k.schema(), k.value(), v.schema(), v.value());
        Struct source = v.value() instanceof Struct s && s.schema().field("source") != null ? s.getStruct("source") : null;
        long[] position = source == null ? null : positions.of(source);
        boolean snapshot = source != null && RecordMapper.isSnapshot(source);
        if (uniquePositions && position != null && !snapshot) {
            long[] newest = newestStreamed.get(tp);
            if (newest != null && java.util.Arrays.compare(position, newest) <= 0) {
                LOG.debug("capture {}: {} at {} resent by the connector; skipped", name, r.topic(), java.util.Arrays.toString(position));
                return List.of();
            }
            newestStreamed.put(tp, position);
        }
        List<MappedRecord> events = mapper.mapAll(record);
        String table = source == null ? null : RecordMapper.qualifiedTable(source);
        boolean heartbeat = heartbeatTable.equals(table);
        Pending p = new Pending(events, tp, r.offset(), snapshot, table);
        if (heartbeat) {
            heldHeartbeats.add(new HeldHeartbeat(new CommitOrder.Item<>(p, position, true),
                    consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10))));
            return List.of();
        }
        return order.offer(new CommitOrder.Item<>(p, position, false));
    }

    /**
     * A heartbeat read, held until every other topic partition has been read up to where it ended when the heartbeat
     * was read. Connect writes each table to its own topic, and the consumer fetches them independently: a change
     * committed before the heartbeat can be in Kafka but not yet fetched when the heartbeat is. Let through then, the
     * heartbeat would be that change's side's fence with the change missing — IN_SYNC, or a fence passed, on a state
     * the side never had (and, on the other side, a false alarm). Held, it goes out only once everything that was in
     * Kafka with it has been taken in, and so after every change that committed before it.
     */
    private record HeldHeartbeat(CommitOrder.Item<Pending> item, Map<TopicPartition, Long> ends) {
    }

    private final java.util.ArrayDeque<HeldHeartbeat> heldHeartbeats = new java.util.ArrayDeque<>();

    /** The held heartbeats, in the order they came, that may go out now, with the changes each releases. */
    private List<Pending> releaseHeartbeats() {
        List<Pending> out = new ArrayList<>();
        while (!heldHeartbeats.isEmpty() && caughtUp(heldHeartbeats.peek().ends())) {
            out.addAll(order.offer(heldHeartbeats.poll().item()));
        }
        return out;
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        java.util.Set<TopicPartition> assigned = consumer.assignment();
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            // A partition no longer assigned to this consumer is read by none other in its group (one member per side).
            if (assigned.contains(e.getKey()) && consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void forward(List<Pending> out) throws InterruptedException {
        List<dev.parity.ingest.debezium.MappedRecord> batch = new ArrayList<>();
        boolean streamed = false;
        for (Pending p : out) {
            if (p.snapshot()) {
                status.snapshotting();
                snapshotRows.merge(p.table(), 1L, Long::sum);
            } else if (!p.events().isEmpty()) {
                streamed = true;
            }
            batch.addAll(p.events());
        }
        sink.deliver(batch, name);
        java.time.Instant now = clock.instant();
        out.forEach(p -> p.events().forEach(m -> status.produced(m.event(), now)));
        status.seen(now);
        if (streamed) {
            status.snapshotRows(Map.copyOf(snapshotRows));
            status.streaming();
            status.connection(true, now);
        }
    }

    /** Commits each partition up to its first record still waiting for a heartbeat, or to what was read. */
    private void commit(java.util.Set<TopicPartition> read) {
        Map<TopicPartition, Long> firstWaiting = new HashMap<>();
        for (Pending p : order.waiting()) {
            firstWaiting.merge(p.from(), p.offset(), Math::min);
        }
        for (HeldHeartbeat h : heldHeartbeats) {
            firstWaiting.merge(h.item().value().from(), h.item().value().offset(), Math::min);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            long position = consumer.position(tp);
            offsets.put(tp, new OffsetAndMetadata(Math.min(position, firstWaiting.getOrDefault(tp, Long.MAX_VALUE))));
        }
        if (!offsets.isEmpty() && (!read.isEmpty() || !firstWaiting.isEmpty())) {
            consumer.commitSync(offsets);
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.close();
    }
}
