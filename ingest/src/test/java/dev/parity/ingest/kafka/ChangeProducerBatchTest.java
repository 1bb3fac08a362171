package dev.parity.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.model.ChangeBatch;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.model.Truncate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A capture's batch as the records it travels in: each partition's records, decoded and read in order, are exactly the
 * batch's events of that partition (its row changes, every heartbeat and TRUNCATE) in capture order, however the records
 * were grouped or split.
 */
class ChangeProducerBatchTest {
    private static final int PARTITIONS = 4;
    private static final Chunking CHUNKING = new Chunking(6);

    private static byte[] key(long id) {
        return new CanonicalWriter().table("public.t").column("id").integer(id).toByteArray();
    }

    private static List<MappedRecord> captureBatch(int changes) {
        List<MappedRecord> batch = new ArrayList<>();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < changes; i++) {
            if (i % 50 == 17) {
                batch.add(new MappedRecord(null, new Heartbeat(Side.TARGET, i, i, i, i % 100 == 17 ? "fence-" + i : null)));
            } else if (i == 333) {
                batch.add(new MappedRecord(null, new Truncate(Side.TARGET, "public.t", i, "bin.000001:" + i)));
            } else {
                long id = r.nextInt(40);
                batch.add(new MappedRecord(key(id), r.nextInt(5) == 0 ? RowChange.delete(Side.TARGET, i, "bin.000001:" + i)
                        : RowChange.upsert(Side.TARGET, new Hash128(i, id), i, "bin.000001:" + i, false, 3)));
            }
        }
        return batch;
    }

    /** Each partition's events as the reconciler applies them: the records in send order, a batch's entries in order. */
    private static Map<Integer, List<ChangeBatch.Entry>> received(List<ChangeProducer.BatchRecord> records) {
        Map<Integer, List<ChangeBatch.Entry>> out = new HashMap<>();
        for (ChangeProducer.BatchRecord rec : records) {
            CaptureEvent e = CaptureEventSerde.decode(rec.value());
            List<ChangeBatch.Entry> into = out.computeIfAbsent(rec.partition(), p -> new ArrayList<>());
            if (e instanceof ChangeBatch b) {
                into.addAll(b.entries());
                assertThat(rec.key()).isEqualTo(b.entries().get(0).key() == null ? new byte[] {0} : b.entries().get(0).key());
            } else {
                into.add(new ChangeBatch.Entry(e instanceof RowChange ? rec.key() : null, e));
            }
        }
        return out;
    }

    private static Map<Integer, List<ChangeBatch.Entry>> expected(List<MappedRecord> batch) {
        Map<Integer, List<ChangeBatch.Entry>> out = new HashMap<>();
        for (MappedRecord m : batch) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (m.isBroadcast() || CHUNKING.partitionOf(m.key(), PARTITIONS) == p) {
                    out.computeIfAbsent(p, x -> new ArrayList<>()).add(new ChangeBatch.Entry(m.key(), m.event()));
                }
            }
        }
        return out;
    }

    @Test
    void shouldCarryEachPartitionsEventsInCaptureOrderInOneRecordPerPartition() {
        List<MappedRecord> batch = captureBatch(1_000);
        List<ChangeProducer.BatchRecord> records = ChangeProducer.batchRecords(batch, PARTITIONS, CHUNKING, ChangeProducer.MAX_BATCH_BYTES);
        assertThat(records).hasSize(PARTITIONS);
        assertThat(received(records)).isEqualTo(expected(batch));
    }

    @Test
    void shouldSplitAPartitionsEventsIntoRecordsUnderTheLimitKeepingTheirOrder() {
        List<MappedRecord> batch = captureBatch(1_000);
        List<ChangeProducer.BatchRecord> records = ChangeProducer.batchRecords(batch, PARTITIONS, CHUNKING, 2_000);
        assertThat(records.size()).isGreaterThan(4 * PARTITIONS);
        assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(2_000));
        assertThat(received(records)).isEqualTo(expected(batch));
    }

    @Test
    void shouldSendASingleEventAsItself() {
        MappedRecord one = new MappedRecord(key(5), RowChange.upsert(Side.SOURCE, new Hash128(1, 2), 3, "0/A", false, 3));
        List<ChangeProducer.BatchRecord> records = ChangeProducer.batchRecords(List.of(one), PARTITIONS, CHUNKING, ChangeProducer.MAX_BATCH_BYTES);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).partition()).isEqualTo(CHUNKING.partitionOf(key(5), PARTITIONS));
        assertThat(records.get(0).key()).isEqualTo(key(5));
        assertThat(CaptureEventSerde.decode(records.get(0).value())).isEqualTo(one.event());
    }
}
