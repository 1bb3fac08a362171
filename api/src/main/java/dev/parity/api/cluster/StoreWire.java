package dev.parity.api.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes instances send each other for a store query (README, "Deployment"). A request names the store,
 * the operation, the partitions asked for and up to two keys; the answer is a stream of entries (key and
 * value bytes as the store's serde writes them) closed by an end mark, so a stream cut short (an instance
 * dying mid-answer) is told apart from a complete one and never read as a smaller table.
 */
final class StoreWire {
    /** What a query asks of each partition's store. */
    enum Op {
        GET, ALL, PREFIX, RANGE, COUNT
    }

    /**
     * @param a the key of GET, the prefix of PREFIX, the lower bound of RANGE; null otherwise
     * @param b the upper bound of RANGE; null otherwise
     */
    record Request(String store, Op op, List<Integer> partitions, byte[] a, byte[] b) {
        Request {
            partitions = List.copyOf(partitions);
        }

        void write(DataOutputStream out) throws IOException {
            out.writeUTF(store);
            out.writeUTF(op.name());
            out.writeInt(partitions.size());
            for (int p : partitions) {
                out.writeInt(p);
            }
            blob(out, a);
            blob(out, b);
            out.flush();
        }

        static Request read(DataInputStream in) throws IOException {
            String store = in.readUTF();
            Op op;
            try {
                op = Op.valueOf(in.readUTF());
            } catch (IllegalArgumentException e) {
                throw new IOException("unknown store operation", e);
            }
            int n = in.readInt();
            if (n < 0 || n > 65_536) {
                throw new IOException("bad partition count " + n);
            }
            List<Integer> parts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                parts.add(in.readInt());
            }
            return new Request(store, op, parts, blob(in), blob(in));
        }
    }

    private static final int END = -1;
    /** The largest key or value accepted: far above any row key or state Parity writes, far below a heap. */
    static final int MAX_BLOB = 64 << 20;

    private StoreWire() {
    }

    static void entry(DataOutputStream out, byte[] key, byte[] value) throws IOException {
        blob(out, key);
        blob(out, value);
    }

    static void count(DataOutputStream out, long n) throws IOException {
        out.writeLong(n);
    }

    static void end(DataOutputStream out) throws IOException {
        out.writeInt(END);
        out.flush();
    }

    /** The next entry as {key, value}; null at the end mark. Throws {@link EOFException} on a stream cut short. */
    static byte[][] next(DataInputStream in) throws IOException {
        byte[] key = blob(in);
        return key == null ? null : new byte[][] {key, blob(in)};
    }

    private static void blob(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(END);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] blob(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == END) {
            return null;
        }
        if (n < 0 || n > MAX_BLOB) {
            throw new IOException("bad length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
