package dev.parity.reconciler.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.state.StoreKeys;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every store entry of one row key is routed to the partition its change records go to. */
class StoreNamesTest {
    @Test
    void shouldRouteEveryEntryOfAKeyToThePartitionOfItsChunk() {
        Chunking chunking = new Chunking(10);
        int partitions = 7;
        Set<Integer> seen = new HashSet<>();
        for (long id = 0; id < 2_000; id++) {
            byte[] rowKey = key("public.orders", id);
            int chunk = chunking.chunkOf(rowKey);
            int p = chunking.partitionOf(rowKey, partitions); // where the captures send the key's changes
            seen.add(p);
            assertThat(StoreNames.partitionOf(StoreNames.KEYS, rowKey, chunking, partitions)).isEqualTo(p);
            assertThat(StoreNames.partitionOf(StoreNames.DEFERRED, rowKey, chunking, partitions)).isEqualTo(p);
            assertThat(StoreNames.partitionOf(StoreNames.CHUNKS, StoreKeys.chunk("public.orders", chunk), chunking, partitions)).isEqualTo(p);
            assertThat(StoreNames.partitionOf(StoreNames.MISMATCHES, StoreKeys.mismatch("public.orders", chunk, rowKey), chunking, partitions))
                    .isEqualTo(p);
            assertThat(StoreNames.partitionOf(StoreNames.PENDING, StoreKeys.pending(id * 31, rowKey), chunking, partitions)).isEqualTo(p);
        }
        assertThat(seen).hasSize(partitions);
        assertThat(StoreNames.partitionOf(StoreNames.WATERMARKS, StoreKeys.side("source"), chunking, partitions)).isEqualTo(-1);
    }

    @Test
    void shouldRefuseAnUnknownStore() {
        assertThatThrownBy(() -> StoreNames.partitionOf("parity-nope", new byte[1], new Chunking(2), 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreNames.valueSerde("parity-nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(StoreNames.valueSerde(StoreNames.CHUNKS)).isNotNull();
    }

    private static byte[] key(String table, long id) {
        return new CanonicalWriter().table(table).column("id").integer(id).toByteArray();
    }
}
