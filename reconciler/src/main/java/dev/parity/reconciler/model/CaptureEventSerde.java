package dev.parity.reconciler.model;

import dev.parity.reconciler.canonical.ByteSink;
import dev.parity.reconciler.canonical.ByteSource;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary wire format of {@link CaptureEvent}: a version byte, a type byte, then the fields (a {@link ChangeBatch}: its
 * entries' keys and types and fields, one after another). Compact
 * and allocation-light because it sits on the hot path of both ingest and the reconciler.
 */
public final class CaptureEventSerde implements Serde<CaptureEvent>, Serializer<CaptureEvent>, Deserializer<CaptureEvent> {
    /** Version 2 added row shapes to row changes and observations; version 1 records (no shape) are still read. */
    private static final int VERSION = 2;
    private static final int VERSION_1 = 1;
    private static final int ROW = 1;
    private static final int HEARTBEAT = 2;
    private static final int OBSERVATION = 3;
    private static final int BASELINE = 4;
    private static final int BASELINE_BATCH = 5;
    private static final int TRUNCATE = 6;
    private static final int CHANGE_BATCH = 7;
    private static final ThreadLocal<ByteSink> SINK = ThreadLocal.withInitial(() -> new ByteSink(96));

    @Override
    public byte[] serialize(String topic, CaptureEvent event) {
        return event == null ? null : encode(event);
    }

    @Override
    public CaptureEvent deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data);
    }

    public static byte[] encode(CaptureEvent event) {
        ByteSink out = SINK.get().reset();
        out.writeByte(VERSION);
        write(out, event);
        return out.toByteArray();
    }

    /** An event's type and fields; a change batch's entries are written the same way, one after another. */
    private static void write(ByteSink out, CaptureEvent event) {
        if (event instanceof RowChange r) {
            out.writeByte(ROW).writeByte(r.side().ordinal()).writeByte(r.op().ordinal()).writeByte(r.snapshot() ? 1 : 0);
            if (r.hash() != null) {
                out.writeLong(r.hash().hi()).writeLong(r.hash().lo());
            }
            out.writeSignedVarLong(r.commitMicros()).writeString(r.position()).writeVarLong(r.shape() & 0xFFFFFFFFL);
        } else if (event instanceof Heartbeat h) {
            out.writeByte(HEARTBEAT).writeByte(h.side().ordinal())
                    .writeVarLong(h.seq()).writeSignedVarLong(h.writtenAtMicros()).writeSignedVarLong(h.commitMicros())
                    .writeString(h.fenceId() == null ? "" : h.fenceId());
        } else if (event instanceof Observation o) {
            out.writeByte(OBSERVATION).writeByte(o.side().ordinal()).writeByte(o.present() ? 1 : 0);
            if (o.present()) {
                out.writeLong(o.hash().hi()).writeLong(o.hash().lo());
            }
            out.writeVarLong(o.guardSeq()).writeVarLong(o.stamp()).writeSignedVarLong(o.readAtMicros()).writeVarLong(o.shape() & 0xFFFFFFFFL);
        } else if (event instanceof Baseline b) {
            out.writeByte(BASELINE).writeByte(b.side().ordinal()).writeByte((b.sourceHash() != null ? 1 : 0) | (b.targetHash() != null ? 2 : 0));
            if (b.sourceHash() != null) {
                out.writeLong(b.sourceHash().hi()).writeLong(b.sourceHash().lo());
            }
            if (b.targetHash() != null) {
                out.writeLong(b.targetHash().hi()).writeLong(b.targetHash().lo());
            }
            out.writeVarLong(b.sourceGuard()).writeVarLong(b.targetGuard()).writeSignedVarLong(b.readAtMicros());
        } else if (event instanceof Truncate t) {
            out.writeByte(TRUNCATE).writeByte(t.side().ordinal()).writeString(t.table()).writeSignedVarLong(t.commitMicros()).writeString(t.position());
        } else if (event instanceof BaselineBatch b) {
            out.writeByte(BASELINE_BATCH).writeByte(b.side().ordinal())
                    .writeVarLong(b.sourceGuard()).writeVarLong(b.targetGuard()).writeSignedVarLong(b.readAtMicros()).writeVarLong(b.entries().size());
            for (BaselineBatch.Entry e : b.entries()) {
                out.writeBlob(e.key()).writeByte((e.sourceHash() != null ? 1 : 0) | (e.targetHash() != null ? 2 : 0));
                if (e.sourceHash() != null) {
                    out.writeLong(e.sourceHash().hi()).writeLong(e.sourceHash().lo());
                }
                if (e.targetHash() != null) {
                    out.writeLong(e.targetHash().hi()).writeLong(e.targetHash().lo());
                }
            }
        } else if (event instanceof ChangeBatch b) {
            out.writeByte(CHANGE_BATCH).writeByte(b.side().ordinal()).writeVarLong(b.entries().size());
            for (ChangeBatch.Entry e : b.entries()) {
                out.writeBlob(e.key() == null ? NO_KEY : e.key());
                write(out, e.event());
            }
        }
    }

    /** A batch entry without a row key (a heartbeat, a TRUNCATE): row keys are never empty. */
    private static final byte[] NO_KEY = new byte[0];

    public static CaptureEvent decode(byte[] data) {
        ByteSource in = new ByteSource(data);
        int version = in.readByte();
        if (version != VERSION && version != VERSION_1) {
            throw new IllegalArgumentException("unsupported capture event version " + version);
        }
        return read(in, version);
    }

    private static CaptureEvent read(ByteSource in, int version) {
        int type = in.readByte();
        Side side = Side.values()[in.readByte()];
        if (type == ROW) {
            RowChange.Op op = RowChange.Op.values()[in.readByte()];
            boolean snapshot = in.readByte() != 0;
            Hash128 hash = op == RowChange.Op.UPSERT ? new Hash128(in.readLong(), in.readLong()) : null;
            long commit = in.readSignedVarLong();
            String position = in.readString();
            int shape = version == VERSION_1 ? RowHashing.UNKNOWN_SHAPE : (int) in.readVarLong();
            return new RowChange(side, op, hash, commit, position, snapshot, shape);
        }
        if (type == HEARTBEAT) {
            long seq = in.readVarLong();
            long writtenAt = in.readSignedVarLong();
            long commit = in.readSignedVarLong();
            String fence = in.readString();
            return new Heartbeat(side, seq, writtenAt, commit, fence.isEmpty() ? null : fence);
        }
        if (type == OBSERVATION) {
            Hash128 hash = in.readByte() != 0 ? new Hash128(in.readLong(), in.readLong()) : null;
            long guard = in.readVarLong();
            long stamp = in.readVarLong();
            long readAt = in.readSignedVarLong();
            return new Observation(side, hash, guard, stamp, readAt, version == VERSION_1 ? RowHashing.UNKNOWN_SHAPE : (int) in.readVarLong());
        }
        if (type == BASELINE) {
            int present = in.readByte();
            Hash128 source = (present & 1) != 0 ? new Hash128(in.readLong(), in.readLong()) : null;
            Hash128 target = (present & 2) != 0 ? new Hash128(in.readLong(), in.readLong()) : null;
            return new Baseline(source, in.readVarLong(), target, in.readVarLong(), in.readSignedVarLong());
        }
        if (type == TRUNCATE) {
            return new Truncate(side, in.readString(), in.readSignedVarLong(), in.readString());
        }
        if (type == BASELINE_BATCH) {
            long sourceGuard = in.readVarLong();
            long targetGuard = in.readVarLong();
            long readAt = in.readSignedVarLong();
            int n = (int) in.readVarLong();
            java.util.List<BaselineBatch.Entry> entries = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] key = in.readBlob();
                int present = in.readByte();
                Hash128 source = (present & 1) != 0 ? new Hash128(in.readLong(), in.readLong()) : null;
                Hash128 target = (present & 2) != 0 ? new Hash128(in.readLong(), in.readLong()) : null;
                entries.add(new BaselineBatch.Entry(key, source, target));
            }
            return new BaselineBatch(sourceGuard, targetGuard, readAt, entries);
        }
        if (type == CHANGE_BATCH) {
            int n = (int) in.readVarLong();
            java.util.List<ChangeBatch.Entry> entries = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] key = in.readBlob();
                entries.add(new ChangeBatch.Entry(key.length == 0 ? null : key, read(in, version)));
            }
            return new ChangeBatch(side, entries);
        }
        throw new IllegalArgumentException("unknown capture event type " + type);
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public Serializer<CaptureEvent> serializer() {
        return this;
    }

    @Override
    public Deserializer<CaptureEvent> deserializer() {
        return this;
    }
}
