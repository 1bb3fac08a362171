package dev.parity.ingest.sweep;

import java.util.Arrays;

/**
 * The keys one sweep scan has read, to find keys the captured state holds but the table no longer
 * has. Exact (sorted 64-bit key hashes, 8 bytes a row) up to {@code exactLimit} rows; past that a
 * Bloom filter of about 10 bits a row (at most 128 MiB), so a table of any size fits. A false
 * positive only makes a missing row look present this round (it is caught in a later one), never
 * the reverse, so no absence is ever reported that is not real.
 */
final class SeenKeys {
    static final int EXACT_LIMIT = 8_000_000;
    private static final long MAX_BITS = 1L << 30;
    private static final int HASHES = 7;

    private final int exactLimit;
    private final long expectedRows;
    private long[] exact = new long[1024];
    private int size;
    private boolean sorted;
    private long[] bloom;
    private long bloomBits;

    /** @param expectedRows the table's estimated size, to size the filter if one is needed; 0 if unknown */
    SeenKeys(long expectedRows) {
        this(expectedRows, EXACT_LIMIT);
    }

    SeenKeys(long expectedRows, int exactLimit) {
        this.expectedRows = expectedRows;
        this.exactLimit = exactLimit;
    }

    void add(long keyHash) {
        if (bloom != null) {
            set(keyHash);
            return;
        }
        if (size == exactLimit) {
            toBloom();
            set(keyHash);
            return;
        }
        if (size == exact.length) {
            exact = Arrays.copyOf(exact, (int) Math.min((long) exact.length * 2, exactLimit));
        }
        exact[size++] = keyHash;
        sorted = false;
    }

    /** Whether the key may have been read: certainly if it was; rarely also if not (filter only). */
    boolean mightContain(long keyHash) {
        if (bloom != null) {
            for (int i = 0; i < HASHES; i++) {
                long bit = index(keyHash, i);
                if ((bloom[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                    return false;
                }
            }
            return true;
        }
        if (!sorted) {
            Arrays.sort(exact, 0, size);
            sorted = true;
        }
        return Arrays.binarySearch(exact, 0, size, keyHash) >= 0;
    }

    boolean exact() {
        return bloom == null;
    }

    private void toBloom() {
        long expected = Math.max(expectedRows, 4L * exactLimit);
        bloomBits = Math.max(64, Math.min(MAX_BITS, Long.highestOneBit(expected * 10 - 1) << 1));
        bloom = new long[(int) (bloomBits >>> 6)];
        for (int i = 0; i < size; i++) {
            set(exact[i]);
        }
        exact = null;
    }

    private void set(long keyHash) {
        for (int i = 0; i < HASHES; i++) {
            long bit = index(keyHash, i);
            bloom[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    /** Double hashing over the key's 64-bit hash; bloomBits is a power of two. */
    private long index(long h, int i) {
        long h2 = Long.rotateLeft(h, 32) * 0x9E3779B97F4A7C15L | 1;
        return (h + i * h2) & (bloomBits - 1);
    }
}
