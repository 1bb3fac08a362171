package dev.parity.reconciler.canonical;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the primitive writes the canonical encoding and the state serdes
 * need. Reused per thread on the hot path ({@link #reset()}), so it allocates only when it grows.
 */
public final class ByteSink {
    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        this.buf = new byte[Math.max(16, initialCapacity)];
    }

    public ByteSink() {
        this(128);
    }

    public ByteSink reset() {
        size = 0;
        return this;
    }

    public int size() {
        return size;
    }

    /** The backing array; valid up to {@link #size()}. */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public ByteSink writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    public ByteSink writeLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteSink writeInt(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** Unsigned LEB128 varint of a non-negative value. */
    public ByteSink writeVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    /** Zig-zag varint, for values that may be negative. */
    public ByteSink writeSignedVarLong(long v) {
        return writeVarLong((v << 1) ^ (v >> 63));
    }

    public ByteSink writeBytes(byte[] bytes, int off, int len) {
        ensure(len);
        System.arraycopy(bytes, off, buf, size, len);
        size += len;
        return this;
    }

    /** Length-prefixed bytes. */
    public ByteSink writeBlob(byte[] bytes) {
        writeVarLong(bytes.length);
        return writeBytes(bytes, 0, bytes.length);
    }

    /** Length-prefixed UTF-8. */
    public ByteSink writeString(String s) {
        return writeBlob(s.getBytes(StandardCharsets.UTF_8));
    }
}
