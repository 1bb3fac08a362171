package dev.parity.ingest.kafka;

import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.model.ChangeBatch;
import dev.parity.reconciler.model.Chunking;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces one side's events to its topic: a row change to the partition of its chunk, a heartbeat
 * to every partition (so each partition's watermark advances). Idempotent and ordered per partition. A capture's batch
 * travels as one record per partition ({@link #deliver}).
 */
public final class ChangeProducer implements CaptureSink {
    private static final byte[] BROADCAST_KEY = {0};
    /**
     * The most bytes of events one record carries: a quarter of Kafka's default largest record (1 MB, the broker's and the
     * producer's), so no setting of the user's Kafka needs to change. A change is ~50 bytes (a hash and a position).
     */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;
    private final Chunking chunking;

    public ChangeProducer(Map<String, Object> kafkaProperties, String topic, int partitions, Chunking chunking) {
        Map<String, Object> props = new java.util.HashMap<>(kafkaProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Records not yet acknowledged, by bytes: a slow broker makes senders wait, never the heap fill (several producers
        // run at once: the captures', the load's, the sweep's).
        props.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, dev.parity.ingest.jdbc.MemoryBudget.producerBytes());
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.partitions = partitions;
        this.chunking = chunking;
    }

    /**
     * Sends a capture's batch and waits until Kafka acknowledged every record of it: one record per partition it touches,
     * carrying that partition's events in capture order ({@link ChangeBatch}; a heartbeat or a TRUNCATE goes into every
     * partition's, where it came). Producer, broker and reconciler all pay per record: a change costs a fraction of one.
     */
    @Override
    public void deliver(List<MappedRecord> batch, String capture) throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        sendBatched(batch, acks);
        awaitAcks(acks, capture);
    }

    private void sendBatched(List<MappedRecord> batch, List<Future<RecordMetadata>> acks) {
        for (BatchRecord r : batchRecords(batch, partitions, chunking, MAX_BATCH_BYTES)) {
            acks.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.key(), r.value())));
        }
    }

    /** One record of a capture's batch: its partition, key and encoded value. */
    record BatchRecord(int partition, byte[] key, byte[] value) {
    }

    /**
     * The records a capture's batch travels in, in the order they are sent: per partition it touches, its events in capture
     * order as one {@link ChangeBatch}, halved until each record is under {@code maxBytes} (one event alone travels as
     * itself); heartbeats and TRUNCATEs in every partition's, where they came.
     */
    static List<BatchRecord> batchRecords(List<MappedRecord> batch, int partitions, Chunking chunking, int maxBytes) {
        @SuppressWarnings("unchecked")
        List<ChangeBatch.Entry>[] groups = new List[partitions];
        for (MappedRecord m : batch) {
            if (m.isBroadcast()) {
                for (int p = 0; p < partitions; p++) {
                    group(groups, p).add(new ChangeBatch.Entry(null, m.event()));
                }
            } else {
                group(groups, chunking.partitionOf(m.key(), partitions)).add(new ChangeBatch.Entry(m.key(), m.event()));
            }
        }
        List<BatchRecord> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (groups[p] != null) {
                addRecords(out, p, groups[p], maxBytes);
            }
        }
        return out;
    }

    private static List<ChangeBatch.Entry> group(List<ChangeBatch.Entry>[] groups, int p) {
        if (groups[p] == null) {
            groups[p] = new ArrayList<>();
        }
        return groups[p];
    }

    private static void addRecords(List<BatchRecord> out, int partition, List<ChangeBatch.Entry> entries, int maxBytes) {
        ChangeBatch.Entry first = entries.get(0);
        byte[] key = first.key() == null ? BROADCAST_KEY : first.key();
        if (entries.size() == 1) {
            out.add(new BatchRecord(partition, key, CaptureEventSerde.encode(first.event())));
            return;
        }
        byte[] value = CaptureEventSerde.encode(new ChangeBatch(first.event().side(), entries));
        if (value.length > maxBytes) {
            int half = entries.size() / 2;
            addRecords(out, partition, entries.subList(0, half), maxBytes);
            addRecords(out, partition, entries.subList(half, entries.size()), maxBytes);
            return;
        }
        out.add(new BatchRecord(partition, key, value));
    }

    /** Sends the record; the futures complete when Kafka acknowledged every copy. */
    public void send(MappedRecord record, List<Future<RecordMetadata>> acks) {
        byte[] value = CaptureEventSerde.encode(record.event());
        if (record.isBroadcast()) {
            for (int p = 0; p < partitions; p++) {
                acks.add(producer.send(new ProducerRecord<>(topic, p, BROADCAST_KEY, value)));
            }
        } else {
            acks.add(producer.send(new ProducerRecord<>(topic, chunking.partitionOf(record.key(), partitions), record.key(), value)));
        }
    }

    /**
     * Sends a keyed record without keeping its acknowledgement: the first failure of any such send is
     * recorded in {@code failure}, to be checked after {@link #flush()} (for bulk sends, where a future per
     * record would cost more memory than the records).
     */
    public void send(MappedRecord record, java.util.concurrent.atomic.AtomicReference<Exception> failure) {
        byte[] value = CaptureEventSerde.encode(record.event());
        producer.send(new ProducerRecord<>(topic, chunking.partitionOf(record.key(), partitions), record.key(), value), (md, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /**
     * Waits for every acknowledgement of a capture's batch; a capture commits its offsets only after this returns
     * (a failure throws, so nothing past the batch is committed).
     */
    public static void awaitAcks(List<Future<RecordMetadata>> acks, String capture) throws InterruptedException {
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("Kafka did not acknowledge capture " + capture + "'s events; offsets not committed", e.getCause());
            }
        }
    }

    /** Blocks until every record sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
