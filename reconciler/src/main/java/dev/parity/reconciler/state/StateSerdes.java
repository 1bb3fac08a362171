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

    /**
     * Key state format 5: a flags byte, then only what the flags say is there (see {@link #encodeKeyState}).
     * Format 4 lacked the mismatch entry, format 3 also the row shape, format 2 also the provenance byte; all are still
     * read (a mismatched key of format 4 or older has no entry: {@link KeyState#mismatch()} null).
     */
    private static final int KEY_STATE_VERSION = 5;
    private static final int KEY_STATE_VERSION_4 = 4;
    private static final int KEY_STATE_VERSION_3 = 3;
    private static final int KEY_STATE_VERSION_2 = 2;
    private static final int SOURCE_PRESENT = 1;
    private static final int SOURCE_EXISTS = 2;
    private static final int TARGET_PRESENT = 4;
    private static final int TARGET_EXISTS = 8;
    private static final int SAME_HASH = 16;
    private static final int PROVENANCE = 32;
    private static final int MISMATCHED = 64;
    private static final int ENTRY = 128;

    /**
     * The per-key state is most of Parity's disk, so it is packed: a flags byte; the source hash; the
     * target hash only when it differs (an equal key stores one hash); both stamps; then, only where
     * the state carries them (a mismatched key, whose provenance the API shows), commit times and log
     * positions and provenance, the first-mismatch time and the mismatch entry (verdict, due heartbeat). An equal key
     * takes about 20 bytes.
     */
    static byte[] encodeKeyState(KeyState k) {
        SideState s = k.source();
        SideState t = k.target();
        boolean same = s != null && t != null && s.exists() && t.exists() && s.hash().equals(t.hash());
        boolean provenance = hasProvenance(s) || hasProvenance(t);
        int flags = (s != null ? SOURCE_PRESENT : 0) | (s != null && s.exists() ? SOURCE_EXISTS : 0)
                | (t != null ? TARGET_PRESENT : 0) | (t != null && t.exists() ? TARGET_EXISTS : 0)
                | (same ? SAME_HASH : 0) | (provenance ? PROVENANCE : 0) | (k.firstMismatchMillis() != KeyState.NEVER ? MISMATCHED : 0)
                | (k.mismatch() != null ? ENTRY : 0);
        ByteSink out = SINK.get().reset().writeByte(KEY_STATE_VERSION).writeByte(flags);
        if (s != null && s.exists()) {
            out.writeLong(s.hash().hi()).writeLong(s.hash().lo());
        }
        if (t != null && t.exists() && !same) {
            out.writeLong(t.hash().hi()).writeLong(t.hash().lo());
        }
        if (s != null) {
            out.writeSignedVarLong(s.stamp());
        }
        if (t != null) {
            out.writeSignedVarLong(t.stamp());
        }
        if (provenance) {
            for (SideState side : new SideState[] {s, t}) {
                if (side != null) {
                    out.writeSignedVarLong(side.commitMicros()).writeString(side.position()).writeByte(side.provenance().ordinal())
                            .writeVarLong(side.shape() & 0xFFFFFFFFL);
                }
            }
        }
        if (k.firstMismatchMillis() != KeyState.NEVER) {
            out.writeSignedVarLong(k.firstMismatchMillis());
        }
        if (k.mismatch() != null) {
            out.writeByte(k.mismatch().verdict().ordinal()).writeSignedVarLong(k.mismatch().due());
        }
        return out.toByteArray();
    }

    private static boolean hasProvenance(SideState s) {
        return s != null && s.hasProvenance();
    }

    static KeyState decodeKeyState(byte[] data) {
        ByteSource in = new ByteSource(data);
        int version = in.readByte();
        if (version == VERSION) {
            SideState source = readSide(in);
            SideState target = readSide(in);
            return new KeyState(source, target, in.readSignedVarLong());
        }
        if (version != KEY_STATE_VERSION && version != KEY_STATE_VERSION_4 && version != KEY_STATE_VERSION_3 && version != KEY_STATE_VERSION_2) {
            throw new IllegalArgumentException("unsupported key state version " + version);
        }
        boolean withProvenanceByte = version >= KEY_STATE_VERSION_3;
        boolean withShape = version >= KEY_STATE_VERSION_4;
        int flags = in.readByte();
        Hash128 sh = (flags & SOURCE_EXISTS) != 0 ? new Hash128(in.readLong(), in.readLong()) : null;
        Hash128 th = (flags & TARGET_EXISTS) == 0 ? null : (flags & SAME_HASH) != 0 ? sh : new Hash128(in.readLong(), in.readLong());
        long ss = (flags & SOURCE_PRESENT) != 0 ? in.readSignedVarLong() : 0;
        long ts = (flags & TARGET_PRESENT) != 0 ? in.readSignedVarLong() : 0;
        long sc = SideState.UNKNOWN_COMMIT;
        long tc = SideState.UNKNOWN_COMMIT;
        String sp = "";
        String tp = "";
        Provenance so = Provenance.CHANGE_STREAM;
        Provenance to = Provenance.CHANGE_STREAM;
        int sShape = 0;
        int tShape = 0;
        if ((flags & PROVENANCE) != 0) {
            if ((flags & SOURCE_PRESENT) != 0) {
                sc = in.readSignedVarLong();
                sp = in.readString();
                so = withProvenanceByte ? Provenance.values()[in.readByte()] : legacyProvenance(sp);
                sShape = withShape ? (int) in.readVarLong() : 0;
            }
            if ((flags & TARGET_PRESENT) != 0) {
                tc = in.readSignedVarLong();
                tp = in.readString();
                to = withProvenanceByte ? Provenance.values()[in.readByte()] : legacyProvenance(tp);
                tShape = withShape ? (int) in.readVarLong() : 0;
            }
        }
        long first = (flags & MISMATCHED) != 0 ? in.readSignedVarLong() : KeyState.NEVER;
        MismatchEntry entry = (flags & ENTRY) != 0 ? new MismatchEntry(Verdict.values()[in.readByte()], in.readSignedVarLong()) : null;
        return new KeyState((flags & SOURCE_PRESENT) != 0 ? new SideState(sh, sc, sp, ss, so, sShape) : null,
                (flags & TARGET_PRESENT) != 0 ? new SideState(th, tc, tp, ts, to, tShape) : null, first, entry);
    }

    /** Format 2 stored no provenance: the positions the sweep and the load wrote then began with these words. */
    private static Provenance legacyProvenance(String position) {
        return position.startsWith("re-read@hb") ? Provenance.REREAD : position.startsWith("snapshot@hb") ? Provenance.INITIAL_LOAD
                : Provenance.CHANGE_STREAM;
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
