package dev.parity.reconciler.canonical;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link ByteSink} wrote. Throws {@link IllegalArgumentException} on truncated input. */
public final class ByteSource {
    private final byte[] buf;
    private int pos;
    private final int end;

    public ByteSource(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteSource(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    public int position() {
        return pos;
    }

    private void need(int n) {
        if (pos + n > end) {
            throw new IllegalArgumentException("truncated input: need " + n + " bytes at " + pos + " of " + end);
        }
    }

    public int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    /** The next byte, not consumed. */
    public int peekByte() {
        need(1);
        return buf[pos] & 0xFF;
    }

    public long readLong() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public int readInt() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 64 bits at " + pos);
    }

    public long readSignedVarLong() {
        long raw = readVarLong();
        return (raw >>> 1) ^ -(raw & 1);
    }

    public byte[] readBytes(int len) {
        need(len);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    public byte[] readBlob() {
        long len = readVarLong();
        if (len > end - pos) {
            throw new IllegalArgumentException("blob length " + len + " exceeds input at " + pos);
        }
        return readBytes((int) len);
    }

    public String readString() {
        return new String(readBlob(), StandardCharsets.UTF_8);
    }

    /** Steps over a string or blob without copying it. */
    public ByteSource skipBlob() {
        long len = readVarLong();
        need((int) Math.min(len, Integer.MAX_VALUE));
        pos += (int) len;
        return this;
    }
}
