package dev.parity.ingest.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Hash128;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one source page and its target range become initial-load records. */
class TableLoadTest {
    private static final Chunking CHUNKING = new Chunking(10);

    private static byte[] key(long id) {
        return new CanonicalWriter().table("shop.orders").column("id").integer(id).toByteArray();
    }

    private static Hash128 hash(long v) {
        return new Hash128(v, ~v);
    }

    private static TableScan.Page page(long heartbeat, long from, long to, long skip, long valueOffset) {
        List<TableScan.Row> rows = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            if (id != skip) {
                rows.add(new TableScan.Row(key(id), hash(id + valueOffset)));
            }
        }
        return new TableScan.Page(heartbeat, rows, null);
    }

    @Test
    void shouldPairEveryKeyOfEitherSideOnceInRecordsOfOnePartitionEach() {
        // Source 1..5000 without 17; target 1..5000 without 4000, plus 9999; id 42 differs.
        TableScan.Page source = page(7, 1, 5000, 17, 0);
        List<TableScan.Row> targetRows = new ArrayList<>(page(9, 1, 5000, 4000, 0).rows());
        targetRows.set(41, new TableScan.Row(key(42), hash(-1)));
        targetRows.add(new TableScan.Row(key(9999), hash(9999)));
        TableScan.Page target = new TableScan.Page(9, targetRows, null);

        List<BaselineBatch> records = TableLoad.pair(source, target, CHUNKING, 4, 123L, 300);

        Map<ByteBuffer, BaselineBatch.Entry> byKey = new HashMap<>();
        for (BaselineBatch r : records) {
            assertThat(r.entries()).isNotEmpty().hasSizeLessThanOrEqualTo(300);
            assertThat(r.sourceGuard()).isEqualTo(7);
            assertThat(r.targetGuard()).isEqualTo(9);
            int partition = CHUNKING.partitionOf(r.entries().get(0).key(), 4);
            for (BaselineBatch.Entry e : r.entries()) {
                assertThat(CHUNKING.partitionOf(e.key(), 4)).as("every key of a record in its first key's partition").isEqualTo(partition);
                assertThat(byKey.put(ByteBuffer.wrap(e.key()), e)).as("each key once").isNull();
            }
        }
        assertThat(byKey).hasSize(5001); // 1..5000 and 9999
        assertThat(byKey.get(ByteBuffer.wrap(key(17)))).satisfies(e -> {
            assertThat(e.sourceHash()).isNull();
            assertThat(e.targetHash()).isEqualTo(hash(17));
        });
        assertThat(byKey.get(ByteBuffer.wrap(key(4000)))).satisfies(e -> {
            assertThat(e.sourceHash()).isEqualTo(hash(4000));
            assertThat(e.targetHash()).isNull();
        });
        assertThat(byKey.get(ByteBuffer.wrap(key(9999))).sourceHash()).isNull();
        assertThat(byKey.get(ByteBuffer.wrap(key(42)))).satisfies(e -> {
            assertThat(e.sourceHash()).isEqualTo(hash(42));
            assertThat(e.targetHash()).isEqualTo(hash(-1));
        });
        assertThat(byKey.get(ByteBuffer.wrap(key(1)))).satisfies(e -> assertThat(e.sourceHash()).isEqualTo(e.targetHash()));
    }
}
