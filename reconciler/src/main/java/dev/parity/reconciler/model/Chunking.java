package dev.parity.reconciler.model;

/**
 * Chunk = (table, top {@code bits} bits of the key hash). Partition = chunk modulo the partition
 * count, so that a chunk lives wholly in one partition (its verdict needs no cross-partition sum)
 * and both sides' topics place a key identically.
 */
public record Chunking(int bits) {
    public static final int DEFAULT_BITS = 10;
    public static final int MAX_BITS = 20;

    public Chunking {
        if (bits < 0 || bits > MAX_BITS) {
            throw new IllegalArgumentException("chunk bits must be within 0.." + MAX_BITS + ", was " + bits);
        }
    }

    public int chunkCount() {
        return 1 << bits;
    }

    public int chunkOf(byte[] key) {
        return bits == 0 ? 0 : (int) (RowHashing.keyHash(key) >>> (64 - bits));
    }

    public static int partitionOf(int chunk, int partitions) {
        return chunk % partitions;
    }

    public int partitionOf(byte[] key, int partitions) {
        return partitionOf(chunkOf(key), partitions);
    }
}
