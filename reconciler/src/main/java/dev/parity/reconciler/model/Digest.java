package dev.parity.reconciler.model;

import java.util.Objects;

/**
 * A side's digest of a chunk or table: row count and the sum of row hashes modulo 2^128.
 * Two different contents collide with probability about 2^-128 per comparison for accidental faults.
 */
public record Digest(long count, Hash128 sum) {
    public static final Digest EMPTY = new Digest(0, Hash128.ZERO);

    public Digest {
        Objects.requireNonNull(sum, "sum");
    }

    /** This digest with one row's hash replaced: either may be null (row absent before/after). */
    public Digest apply(Hash128 oldHash, Hash128 newHash) {
        long c = count;
        Hash128 s = sum;
        if (oldHash != null) {
            c--;
            s = s.minus(oldHash);
        }
        if (newHash != null) {
            c++;
            s = s.plus(newHash);
        }
        return new Digest(c, s);
    }

    /**
     * This digest with one key's value replaced, counting rows: a keyed row counts one, a content-keyed
     * row (a table without key) as many as its copies ({@link RowHashing#copies}).
     */
    public Digest apply(byte[] key, boolean contentKey, Hash128 oldHash, Hash128 newHash) {
        if (!contentKey) {
            return apply(oldHash, newHash);
        }
        Hash128 s = sum;
        if (oldHash != null) {
            s = s.minus(oldHash);
        }
        if (newHash != null) {
            s = s.plus(newHash);
        }
        return new Digest(count - RowHashing.copiesOf(key, oldHash) + RowHashing.copiesOf(key, newHash), s);
    }

    public Digest plus(Digest o) {
        return new Digest(count + o.count, sum.plus(o.sum));
    }

    public boolean isEmpty() {
        return count == 0 && sum.equals(Hash128.ZERO);
    }
}
