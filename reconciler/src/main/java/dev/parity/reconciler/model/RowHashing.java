package dev.parity.reconciler.model;

import net.openhft.hashing.LongHashFunction;
import net.openhft.hashing.LongTupleHashFunction;

/**
 * The hash functions of the equality definition: XXH3-128 for rows (over key and row bytes, so equal
 * rows under different keys never cancel out in a digest) and XXH3-64 of the key for chunk placement.
 * Both are fixed forever: stored state depends on them.
 */
public final class RowHashing {
    private static final LongTupleHashFunction XX128 = LongTupleHashFunction.xx128();
    private static final LongHashFunction XX3 = LongHashFunction.xx3();

    private RowHashing() {
    }

    public static Hash128 hash128(byte[] bytes, int off, int len) {
        long[] r = XX128.hashBytes(bytes, off, len);
        return new Hash128(r[1], r[0]);
    }

    public static long keyHash(byte[] key) {
        return XX3.hashBytes(key);
    }
}
