package dev.parity.reconciler.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class ConcurrentMemoryStoreTest {
    private static Bytes key(int table, int i) {
        return Bytes.wrap(new byte[] {(byte) table, (byte) (i >>> 8), (byte) i});
    }

    @Test
    void shouldScanRangesAndPrefixesInByteOrder() {
        ConcurrentMemoryStore s = new ConcurrentMemoryStore("t");
        for (int i = 0; i < 10; i++) {
            s.put(key(1, i), new byte[] {(byte) i});
            s.put(key(2, i), new byte[] {(byte) i});
        }
        s.delete(key(1, 3));
        List<Bytes> prefix = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = s.prefixScan(Bytes.wrap(new byte[] {1}), new BytesSerializer())) {
            it.forEachRemaining(kv -> prefix.add(kv.key));
        }
        assertThat(prefix).hasSize(9).doesNotContain(key(1, 3)).startsWith(key(1, 0)).endsWith(key(1, 9));
        List<Bytes> range = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = s.range(key(1, 8), key(2, 1))) {
            it.forEachRemaining(kv -> range.add(kv.key));
        }
        assertThat(range).containsExactly(key(1, 8), key(1, 9), key(2, 0), key(2, 1));
    }

    @Test
    void shouldLetAReaderIterateWhileAWriterPutsAndDeletes() throws Exception {
        ConcurrentMemoryStore s = new ConcurrentMemoryStore("t");
        // Keys the writer never touches, before and after the ones it churns: every scan must return them all.
        for (int i = 0; i < 50; i++) {
            s.put(key(0, i), new byte[] {0});
            s.put(key(9, i), new byte[] {9});
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int n = 0; running.get(); n++) {
                int i = n % 500;
                if ((n / 500) % 2 == 0) {
                    s.put(key(1, i), new byte[] {1});
                } else {
                    s.delete(key(1, i));
                }
            }
        });
        writer.start();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (int round = 0; round < 2_000; round++) {
                int stable = 0;
                try (KeyValueIterator<Bytes, byte[]> it = s.all()) {
                    while (it.hasNext()) {
                        KeyValue<Bytes, byte[]> kv = it.next();
                        assertThat(kv.value).isNotNull();
                        if (kv.value[0] != 1) {
                            stable++;
                        }
                    }
                }
                assertThat(stable).as("round %d", round).isEqualTo(100);
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            running.set(false);
            writer.join();
        }
        assertThat(failure.get()).isNull();
    }

    @Test
    void shouldOrderKeysExactlyAsBytesDoes() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            byte[] a = new byte[r.nextInt(0, 6)];
            byte[] b = new byte[r.nextInt(0, 6)];
            for (int j = 0; j < a.length; j++) {
                a[j] = (byte) r.nextInt(-2, 3); // few values: many equal prefixes, negative (unsigned high) bytes
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) r.nextInt(-2, 3);
            }
            assertThat(Integer.signum(ConcurrentMemoryStore.ORDER.compare(Bytes.wrap(a), Bytes.wrap(b))))
                    .as("%s vs %s", java.util.Arrays.toString(a), java.util.Arrays.toString(b))
                    .isEqualTo(Integer.signum(Bytes.wrap(a).compareTo(Bytes.wrap(b))));
        }
    }
}
