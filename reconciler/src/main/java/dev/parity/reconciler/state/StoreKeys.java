package dev.parity.reconciler.state;

import dev.parity.reconciler.canonical.ByteSink;
import dev.parity.reconciler.canonical.ByteSource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte layouts of the store keys. Chunk and mismatch keys start with the table id so a prefix scan
 * lists one table, in chunk order; pending keys start with the big-endian due seq so a range scan
 * finds every key that became judgeable.
 */
public final class StoreKeys {
    private StoreKeys() {
    }

    /** [table id][chunk, 4 bytes big-endian]. */
    public static byte[] chunk(String table, int chunk) {
        return new ByteSink(table.length() + 8).writeString(table).writeInt(chunk).toByteArray();
    }

    /** [table id]: the prefix of that table's chunk and mismatch keys, and of its row keys (which begin with the table id too). */
    public static byte[] tablePrefix(String table) {
        return new ByteSink(table.length() + 4).writeString(table).toByteArray();
    }

    /** [table id][chunk][row key]. */
    public static byte[] mismatch(String table, int chunk, byte[] rowKey) {
        return new ByteSink(table.length() + 8 + rowKey.length).writeString(table).writeInt(chunk)
                .writeBytes(rowKey, 0, rowKey.length).toByteArray();
    }

    public record ChunkRef(String table, int chunk) {
    }

    public static ChunkRef parseChunk(byte[] chunkKey) {
        ByteSource in = new ByteSource(chunkKey);
        return new ChunkRef(in.readString(), in.readInt());
    }

    /** The row key inside a mismatch key. */
    public static byte[] rowKeyOfMismatch(byte[] mismatchKey) {
        ByteSource in = new ByteSource(mismatchKey);
        in.readString();
        in.readInt();
        return Arrays.copyOfRange(mismatchKey, in.position(), mismatchKey.length);
    }

    public static int chunkOfMismatch(byte[] mismatchKey) {
        ByteSource in = new ByteSource(mismatchKey);
        in.readString();
        return in.readInt();
    }

    /** [due, 8 bytes big-endian, non-negative][row key]. */
    public static byte[] pending(long due, byte[] rowKey) {
        return new ByteSink(8 + rowKey.length).writeLong(due).writeBytes(rowKey, 0, rowKey.length).toByteArray();
    }

    public static byte[] pendingBound(long due) {
        return new ByteSink(8).writeLong(due).toByteArray();
    }

    public static byte[] rowKeyOfPending(byte[] pendingKey) {
        return Arrays.copyOfRange(pendingKey, 8, pendingKey.length);
    }

    public static byte[] side(String label) {
        return label.getBytes(StandardCharsets.UTF_8);
    }

    /** The smallest key greater than every key starting with {@code prefix}, for range scans. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }
}
