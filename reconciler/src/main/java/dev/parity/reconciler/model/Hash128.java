package dev.parity.reconciler.model;

/**
 * A 128-bit value with arithmetic modulo 2^128, used both for row hashes and for chunk digests
 * (a digest is the sum of its rows' hashes, so an update is {@code digest + h(new) - h(old)}).
 */
public record Hash128(long hi, long lo) {
    public static final Hash128 ZERO = new Hash128(0, 0);

    public Hash128 plus(Hash128 o) {
        long l = lo + o.lo;
        long carry = Long.compareUnsigned(l, lo) < 0 ? 1 : 0;
        return new Hash128(hi + o.hi + carry, l);
    }

    public Hash128 minus(Hash128 o) {
        long l = lo - o.lo;
        long borrow = Long.compareUnsigned(lo, o.lo) < 0 ? 1 : 0;
        return new Hash128(hi - o.hi - borrow, l);
    }

    /** This value times {@code n} modulo 2^128 ({@code n} taken as a signed 128-bit number). */
    public Hash128 times(long n) {
        long high = Math.multiplyHigh(lo, n) + ((lo >> 63) & n) + ((n >> 63) & lo); // unsigned high half of lo * n
        return new Hash128(high + hi * n + (n < 0 ? -lo : 0), lo * n);
    }

    /** 32 lower-case hex digits, as quoted in reports. */
    public String toHex() {
        return String.format("%016x%016x", hi, lo);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
