package dev.parity.reconciler.topology;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.ChunkState;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.StoreKeys;
import dev.parity.reconciler.state.Verdict;
import dev.parity.reconciler.state.Watermark;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies both sides' change streams of one partition to the per-key state and the chunk digests,
 * and judges every mismatched key by heartbeat order (DESIGN.md, "Lag and divergence").
 *
 * <p>A mismatched key is due once both streams have delivered heartbeat {@code max(fence_S, fence_T)}:
 * by then the target has applied everything the source committed before the key's last change, and
 * the source stream has delivered everything committed before the target's. Keys awaiting that sit in
 * the pending index ordered by due seq, so each heartbeat re-judges only the keys that became due.
 */
final class ReconcileProcessor implements Processor<Bytes, CaptureEvent, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileProcessor.class);
    private static final BytesSerializer BYTES = new BytesSerializer();

    private final ReconcilerSettings settings;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<Bytes, KeyState> keys;
    private KeyValueStore<Bytes, ChunkState> chunks;
    private KeyValueStore<Bytes, MismatchEntry> mismatches;
    private KeyValueStore<Bytes, byte[]> pending;
    private KeyValueStore<Bytes, Watermark> watermarks;
    /** This partition's watermarks, cached: read on every event, written only by heartbeats. */
    private final Watermark[] marks = new Watermark[Side.values().length];

    ReconcileProcessor(ReconcilerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.keys = context.getStateStore(StoreNames.KEYS);
        this.chunks = context.getStateStore(StoreNames.CHUNKS);
        this.mismatches = context.getStateStore(StoreNames.MISMATCHES);
        this.pending = context.getStateStore(StoreNames.PENDING);
        this.watermarks = context.getStateStore(StoreNames.WATERMARKS);
        for (Side side : Side.values()) {
            marks[side.ordinal()] = watermarks.get(Bytes.wrap(StoreKeys.side(side.label())));
        }
    }

    @Override
    public void process(Record<Bytes, CaptureEvent> record) {
        CaptureEvent event = record.value();
        if (event == null) {
            return; // a tombstone: the DELETE before it already removed the row
        }
        if (event instanceof RowChange change) {
            applyRow(record.key().get(), change);
        } else if (event instanceof Heartbeat heartbeat) {
            applyHeartbeat(heartbeat);
        }
    }

    private void applyRow(byte[] rowKey, RowChange change) {
        Bytes key = Bytes.wrap(rowKey);
        KeyState before = keys.get(key);
        if (before == null) {
            before = KeyState.EMPTY;
        }
        Side side = change.side();
        Watermark wm = watermark(side);
        SideState now = new SideState(change.hash(), change.commitMicros(), change.position(), wm == null ? SideState.NONE : wm.seq());
        String table = CanonicalReader.tableOf(rowKey);
        int chunk = settings.chunking().chunkOf(rowKey);
        Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(table, chunk));
        ChunkState cs = chunks.get(chunkKey);
        if (cs == null) {
            cs = ChunkState.EMPTY;
        }
        cs = cs.with(side, cs.digest(side).apply(before.hash(side), now.hash()));
        KeyState after = before.with(side, now);
        judge(rowKey, table, chunk, chunkKey, after, cs);
    }

    /** Re-judges one key and writes its state, its index entries and its chunk. */
    private void judge(byte[] rowKey, String table, int chunk, Bytes chunkKey, KeyState state, ChunkState cs) {
        Bytes key = Bytes.wrap(rowKey);
        Bytes mismatchKey = Bytes.wrap(StoreKeys.mismatch(table, chunk, rowKey));
        MismatchEntry prev = mismatches.get(mismatchKey);
        Verdict from = prev == null ? null : prev.verdict();
        if (prev != null && prev.verdict() == Verdict.PENDING) {
            pending.delete(Bytes.wrap(StoreKeys.pending(prev.due(), rowKey)));
        }
        Verdict to;
        if (state.matches()) {
            to = null;
            if (prev != null) {
                mismatches.delete(mismatchKey);
            }
            state = state.withFirstMismatch(KeyState.NEVER);
        } else {
            long due = due(state);
            to = due != MismatchEntry.UNKNOWN_DUE && minWatermark() >= due ? Verdict.DIVERGENT : Verdict.PENDING;
            mismatches.put(mismatchKey, new MismatchEntry(to, due));
            if (to == Verdict.PENDING) {
                pending.put(Bytes.wrap(StoreKeys.pending(due, rowKey)), new byte[0]);
            }
            if (prev == null) {
                state = state.withFirstMismatch(context.currentSystemTimeMs());
            }
            if (to == Verdict.DIVERGENT && from != Verdict.DIVERGENT) {
                LOG.debug("key {} of {} chunk {} is DIVERGENT", CanonicalReader.keyColumns(rowKey), table, chunk);
            }
        }
        if (state.isGone()) {
            keys.delete(key);
        } else {
            keys.put(key, state);
        }
        cs = cs.moved(from, to);
        if (cs.isEmpty()) {
            chunks.delete(chunkKey);
        } else {
            chunks.put(chunkKey, cs);
        }
    }

    /** The heartbeat seq both streams must deliver before this key can be judged. */
    private long due(KeyState state) {
        long due = 0;
        for (Side side : Side.values()) {
            SideState s = state.side(side);
            if (s == null) {
                continue; // this side never had the row: nothing of it to wait for
            }
            Watermark wm = watermark(side);
            if (wm == null || (s.stamp() != SideState.NONE && wm.seq() <= s.stamp())) {
                return MismatchEntry.UNKNOWN_DUE; // the side's fence has not been delivered yet
            }
            due = Math.max(due, wm.fenceOf(s.stamp()));
        }
        return due + settings.extraHeartbeats();
    }

    private void applyHeartbeat(Heartbeat hb) {
        Side side = hb.side();
        Watermark wm = watermark(side);
        long now = context.currentSystemTimeMs();
        if (wm != null && hb.seq() <= wm.seq()) {
            return; // a replay after a crash or a duplicate: watermarks never move back
        }
        long minBefore = minWatermark();
        Watermark next = wm == null ? Watermark.first(hb.seq(), hb.writtenAtMicros(), now) : wm.advance(hb.seq(), hb.writtenAtMicros(), now);
        watermarks.put(Bytes.wrap(StoreKeys.side(side.label())), next);
        marks[side.ordinal()] = next;
        // Keys whose fence on this side was unknown (stamped before it delivered anything, or at its
        // previous heartbeat) now have one: re-judge them, then everything that became due.
        List<byte[]> rejudge = new ArrayList<>();
        collect(rejudge, StoreKeys.pendingBound(MismatchEntry.UNKNOWN_DUE), null);
        long minAfter = minWatermark();
        if (minAfter > minBefore) {
            collect(rejudge, StoreKeys.pendingBound(0), StoreKeys.pendingBound(minAfter + 1));
        }
        for (byte[] rowKey : rejudge) {
            rejudge(rowKey);
        }
    }

    private void collect(List<byte[]> out, byte[] from, byte[] to) {
        try (KeyValueIterator<Bytes, byte[]> it = to == null
                ? pending.prefixScan(Bytes.wrap(from), BYTES)
                : pending.range(Bytes.wrap(from), Bytes.wrap(to))) {
            while (it.hasNext()) {
                out.add(StoreKeys.rowKeyOfPending(it.next().key.get()));
            }
        }
    }

    private void rejudge(byte[] rowKey) {
        KeyState state = keys.get(Bytes.wrap(rowKey));
        if (state == null) {
            return;
        }
        String table = CanonicalReader.tableOf(rowKey);
        int chunk = settings.chunking().chunkOf(rowKey);
        Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(table, chunk));
        ChunkState cs = chunks.get(chunkKey);
        judge(rowKey, table, chunk, chunkKey, state, cs == null ? ChunkState.EMPTY : cs);
    }

    private Watermark watermark(Side side) {
        return marks[side.ordinal()];
    }

    /** min(S, T): the newest heartbeat both streams of this partition have delivered; -1 if either has none. */
    private long minWatermark() {
        Watermark s = watermark(Side.SOURCE);
        Watermark t = watermark(Side.TARGET);
        return s == null || t == null ? -1 : Math.min(s.seq(), t.seq());
    }

}
