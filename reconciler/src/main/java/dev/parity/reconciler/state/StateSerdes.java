package dev.parity.reconciler.state;

import dev.parity.reconciler.canonical.ByteSink;
import dev.parity.reconciler.canonical.ByteSource;
import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Hash128;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** Compact binary serdes of the state records; each format starts with a version byte. */
public final class StateSerdes {
    private static final int VERSION = 1;
    private static final ThreadLocal<ByteSink> SINK = ThreadLocal.withInitial(() -> new ByteSink(128));

    private StateSerdes() {
    }

    public static Serde<KeyState> keyState() {
        return Serdes.serdeFrom(nullSafe(StateSerdes::encodeKeyState), nullSafeDecoder(StateSerdes::decodeKeyState));
    }

    public static Serde<ChunkState> chunkState() {
        return Serdes.serdeFrom(nullSafe(StateSerdes::encodeChunkState), nullSafeDecoder(StateSerdes::decodeChunkState));
    }

    static byte[] encodeKeyState(KeyState k) {
        ByteSink out = SINK.get().reset().writeByte(VERSION);
        writeSide(out, k.source());
        writeSide(out, k.target());
        out.writeSignedVarLong(k.firstMismatchMillis());
        return out.toByteArray();
    }

    static KeyState decodeKeyState(byte[] data) {
        ByteSource in = versioned(data);
        SideState source = readSide(in);
        SideState target = readSide(in);
        return new KeyState(source, target, in.readSignedVarLong());
    }

    private static void writeSide(ByteSink out, SideState s) {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        out.writeByte(s.exists() ? 2 : 1);
        if (s.exists()) {
            out.writeLong(s.hash().hi()).writeLong(s.hash().lo());
        }
        out.writeSignedVarLong(s.commitMicros()).writeString(s.position()).writeSignedVarLong(s.stamp());
    }

    private static SideState readSide(ByteSource in) {
        int presence = in.readByte();
        if (presence == 0) {
            return null;
        }
        Hash128 hash = presence == 2 ? new Hash128(in.readLong(), in.readLong()) : null;
        return new SideState(hash, in.readSignedVarLong(), in.readString(), in.readSignedVarLong());
    }

    public static Serde<Watermark> watermark() {
        return Serdes.serdeFrom(nullSafe(StateSerdes::encodeWatermark), nullSafeDecoder(StateSerdes::decodeWatermark));
    }

    public static Serde<MismatchEntry> mismatch() {
        return Serdes.serdeFrom(nullSafe(StateSerdes::encodeMismatch), nullSafeDecoder(StateSerdes::decodeMismatch));
    }

    static byte[] encodeWatermark(Watermark w) {
        ByteSink out = SINK.get().reset().writeByte(VERSION);
        out.writeVarLong(w.seq()).writeVarLong(w.firstSeq()).writeSignedVarLong(w.writtenAtMicros())
                .writeSignedVarLong(w.arrivedAtMillis()).writeVarLong(w.gaps().size());
        w.gaps().forEach((from, to) -> out.writeVarLong(from).writeVarLong(to));
        out.writeSignedVarLong(w.forgottenStamp());
        return out.toByteArray();
    }

    static Watermark decodeWatermark(byte[] data) {
        ByteSource in = versioned(data);
        long seq = in.readVarLong();
        long first = in.readVarLong();
        long written = in.readSignedVarLong();
        long arrived = in.readSignedVarLong();
        int n = (int) in.readVarLong();
        java.util.Map<Long, Long> gaps = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            gaps.put(in.readVarLong(), in.readVarLong());
        }
        // Written since the verification sweep; older stores end here and have forgotten nothing the sweep needs to know.
        long forgotten = in.hasRemaining() ? in.readSignedVarLong() : SideState.NONE;
        return new Watermark(seq, first, written, arrived, gaps, forgotten);
    }

    static byte[] encodeMismatch(MismatchEntry m) {
        return SINK.get().reset().writeByte(VERSION).writeByte(m.verdict().ordinal()).writeLong(m.due()).toByteArray();
    }

    static MismatchEntry decodeMismatch(byte[] data) {
        ByteSource in = versioned(data);
        return new MismatchEntry(Verdict.values()[in.readByte()], in.readLong());
    }

    static byte[] encodeChunkState(ChunkState c) {
        ByteSink out = SINK.get().reset().writeByte(VERSION);
        writeDigest(out, c.source());
        writeDigest(out, c.target());
        out.writeVarLong(c.pendingKeys()).writeVarLong(c.divergentKeys()).writeVarLong(c.transientMismatches());
        return out.toByteArray();
    }

    static ChunkState decodeChunkState(byte[] data) {
        ByteSource in = versioned(data);
        Digest source = readDigest(in);
        Digest target = readDigest(in);
        return new ChunkState(source, target, in.readVarLong(), in.readVarLong(), in.readVarLong());
    }

    private static void writeDigest(ByteSink out, Digest d) {
        out.writeVarLong(d.count()).writeLong(d.sum().hi()).writeLong(d.sum().lo());
    }

    private static Digest readDigest(ByteSource in) {
        return new Digest(in.readVarLong(), new Hash128(in.readLong(), in.readLong()));
    }

    private static ByteSource versioned(byte[] data) {
        ByteSource in = new ByteSource(data);
        int v = in.readByte();
        if (v != VERSION) {
            throw new IllegalArgumentException("unsupported state version " + v);
        }
        return in;
    }

    private static <T> Serializer<T> nullSafe(java.util.function.Function<T, byte[]> f) {
        return (topic, v) -> v == null ? null : f.apply(v);
    }

    private static <T> Deserializer<T> nullSafeDecoder(java.util.function.Function<byte[], T> f) {
        return (topic, d) -> d == null ? null : f.apply(d);
    }
}
