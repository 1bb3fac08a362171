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

    /**
     * The value a side holds for a row of a table without key (README, "Tables without a key"), whose
     * canonical row is its key: {@code n} copies of it hash to {@code n × u}, where {@code u} is the row's
     * XXH3-128 made odd. Zero copies is no row (null); a chunk's digest sums {@code n × u} over its rows,
     * a multiset digest; and the count is recovered exactly ({@link #copiesOf}) because an odd {@code u}
     * is invertible modulo 2^64.
     */
    public static Hash128 copies(byte[] key, long n) {
        return n == 0 ? null : unit(key).times(n);
    }

    /** The copies a {@link #copies} value stands for; 0 for null. */
    public static long copiesOf(byte[] key, Hash128 value) {
        return value == null ? 0 : value.lo() * inverse(unit(key).lo());
    }

    /** {@code value} with {@code delta} copies more (fewer, when negative); null once none is left. */
    public static Hash128 addCopies(byte[] key, Hash128 value, long delta) {
        Hash128 next = (value == null ? Hash128.ZERO : value).plus(unit(key).times(delta));
        return next.equals(Hash128.ZERO) ? null : next;
    }

    private static Hash128 unit(byte[] key) {
        Hash128 h = hash128(key, 0, key.length);
        return new Hash128(h.hi(), h.lo() | 1);
    }

    /** The inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits each step). */
    private static long inverse(long odd) {
        long x = odd; // correct to 3 bits: odd * odd = 1 mod 8
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }

    /**
     * A row's shape: which columns it has (their lower-case names, in any order), as a number that is
     * never {@link #UNKNOWN_SHAPE}. Two captured states of a key with different shapes were written under
     * different table structures (one side altered before the other) and are not compared by hash.
     */
    public static int shape(java.util.Collection<String> columnNames) {
        StringBuilder b = new StringBuilder();
        columnNames.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).sorted().forEach(n -> b.append(n).append('\u0000'));
        int h = (int) XX3.hashChars(b);
        return h == UNKNOWN_SHAPE ? 1 : h;
    }

    /** A shape not known (a value read before shapes were recorded, a deletion, Parity's load): comparable with any. */
    public static final int UNKNOWN_SHAPE = 0;
}
