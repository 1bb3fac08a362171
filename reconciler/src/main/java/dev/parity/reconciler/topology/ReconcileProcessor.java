package dev.parity.reconciler.topology;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Baseline;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.Observation;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.model.Truncate;
import dev.parity.reconciler.rules.FenceRule;
import dev.parity.reconciler.rules.HeartbeatProgress;
import dev.parity.reconciler.rules.ReadOver;
import dev.parity.reconciler.state.ChunkState;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.StoreKeys;
import dev.parity.reconciler.state.Verdict;
import dev.parity.reconciler.state.Watermark;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies both sides' change streams of one partition to the per-key state and the chunk digests,
 * and judges every mismatched key by heartbeat order. The rules it applies live in {@code rules}:
 * {@link FenceRule} (when a mismatch is a verdict), {@link ReadOver} (when a value read outside the
 * stream replaces the captured state), {@link HeartbeatProgress}; this class does the store I/O.
 *
 * <p>Keys awaiting a verdict sit in the pending index ordered by due seq, so each heartbeat re-judges
 * only the keys that became due (README, "How it decides").
 */
final class ReconcileProcessor implements Processor<Bytes, CaptureEvent, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileProcessor.class);
    /** The evidence of each new DIVERGENT verdict: for a bug report, not the console (the alert says what to act on). */
    static final Logger VERDICTS = LoggerFactory.getLogger("dev.parity.verdicts");
    private static final BytesSerializer BYTES = new BytesSerializer();
    private static final java.time.Duration GRACE_TICK = java.time.Duration.ofSeconds(1);
    /** Heartbeats after which a key deleted on both sides, kept during the load window, is looked at again. */
    private static final long TOMBSTONE_RECHECK = 50;

    private final ReconcilerSettings settings;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<Bytes, KeyState> keys;
    private KeyValueStore<Bytes, ChunkState> chunks;
    private KeyValueStore<Bytes, MismatchEntry> mismatches;
    private KeyValueStore<Bytes, byte[]> pending;
    private KeyValueStore<Bytes, Watermark> watermarks;
    private DeferredBaselines deferred;
    /**
     * This partition's chunk states, read through: every change reads its chunk, and this processor is
     * the only writer of its partition's chunks, so a plain map answers reads that would otherwise go
     * through the store's record cache (a sorted map) and its metering. Writes still go to the store.
     */
    private final java.util.HashMap<Bytes, ChunkState> chunkCache = new java.util.HashMap<>();
    /** This partition's watermarks, cached: read on every event, written only by heartbeats. */
    private final Watermark[] marks = new Watermark[Side.values().length];
    /** How far this task has processed each of its two input partitions, shared with status (see {@link ReconcilerLink}). */
    private java.util.concurrent.atomic.AtomicLong sourcePosition;
    private java.util.concurrent.atomic.AtomicLong targetPosition;
    /** DIVERGENT verdicts whose evidence this task logged at INFO so far (see {@link #verdictEvidence}). */
    private int evidenceLogged;
    private static final int EVIDENCE_AT_INFO = 20;
    /** At-least-once: the stores are audited before this task's first record (see {@link StateAudit}). */
    private boolean auditPending;
    /**
     * At-least-once: no key is due before this heartbeat (see {@link FenceRule#restartFloor}); 0 under exactly-once, where the
     * stores and the input offsets commit together.
     */
    private long verdictFloor;

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
        this.deferred = new DeferredBaselines(context.getStateStore(StoreNames.DEFERRED));
        // A task revived after a failure calls init() again on the same processor: what the stores held
        // may have been rolled back, so nothing cached from before may survive.
        chunkCache.clear();
        int partition = context.taskId().partition();
        sourcePosition = settings.link().reset(new org.apache.kafka.common.TopicPartition(settings.sourceTopic(), partition));
        targetPosition = settings.link().reset(new org.apache.kafka.common.TopicPartition(settings.targetTopic(), partition));
        for (Side side : Side.values()) {
            marks[side.ordinal()] = watermarks.get(Bytes.wrap(StoreKeys.side(side.label())));
        }
        if (settings.byGracePeriod()) {
            context.schedule(GRACE_TICK, PunctuationType.WALL_CLOCK_TIME, this::judgeExpiredGrace);
        }
        // Audited before the first record, not here: a changelogged store may only be written with a record in hand.
        auditPending = settings.auditOnStart();
        verdictFloor = settings.auditOnStart() ? FenceRule.restartFloor(watermark(Side.SOURCE), watermark(Side.TARGET)) : 0;
    }

    /** At-least-once: the derived stores rebuilt from the key states (see {@link StateAudit}), keys left unjudged judged afresh. */
    private void audit(int partition) {
        auditPending = false;
        StateAudit.Result r = StateAudit.run(settings.chunking(), keys, chunks, mismatches, pending);
        for (byte[] rowKey : r.unjudged()) {
            KeyState state = keys.get(Bytes.wrap(rowKey));
            // No entry: judged as a mismatch first seen now, so its verdict and its chunk's count are added, not moved.
            KeyState fresh = state.withFirstMismatch(KeyState.NEVER);
            keys.put(Bytes.wrap(rowKey), fresh);
            rejudge(rowKey);
        }
        if (r.chunksRewritten() + r.staleEntries() + r.unjudged().size() > 0) {
            LOG.warn("partition {}: the reconciler's stores disagreed after an at-least-once restart and were rebuilt from the key states"
                    + " ({} chunks rewritten, {} stale mismatch entries dropped, {} keys judged again)", partition, r.chunksRewritten(),
                    r.staleEntries(), r.unjudged().size());
        }
    }

    /** Grace-period mode: every mismatch whose grace ran out is judged again (it becomes DIVERGENT). */
    private void judgeExpiredGrace(long now) {
        List<byte[]> due = new ArrayList<>();
        collect(due, StoreKeys.pendingBound(0), StoreKeys.pendingBound(now + 1));
        for (byte[] rowKey : due) {
            rejudge(rowKey);
        }
    }

    @Override
    public void process(Record<Bytes, CaptureEvent> record) {
        if (auditPending) {
            audit(context.taskId().partition());
        }
        CaptureEvent event = record.value();
        if (event != null) {
            apply(record, event);
        } // else a tombstone: the DELETE before it already removed the row
        context.recordMetadata().ifPresent(m -> (m.topic().equals(settings.sourceTopic()) ? sourcePosition : targetPosition).set(m.offset() + 1));
    }

    private void apply(Record<Bytes, CaptureEvent> record, CaptureEvent event) {
        if (event instanceof RowChange change) {
            applyRow(record.key().get(), change);
        } else if (event instanceof Heartbeat heartbeat) {
            applyHeartbeat(heartbeat);
        } else if (event instanceof Observation observation) {
            applyObservation(record.key().get(), observation);
        } else if (event instanceof Baseline baseline) {
            applyBaseline(record.key().get(), baseline);
        } else if (event instanceof BaselineBatch batch) {
            applyBaselines(batch);
        } else if (event instanceof Truncate truncate) {
            applyTruncate(truncate);
        }
    }

    /**
     * A TRUNCATE one side's log recorded: each of this partition's keys of the table that side holds is
     * deleted there, stamped like any change arriving now, then judged by the usual fence rule (a
     * truncate the other side also runs, as replication does, leaves nothing to report).
     */
    private void applyTruncate(Truncate t) {
        Side side = t.side();
        Watermark wm = watermark(side);
        long stamp = wm == null ? SideState.NONE : wm.seq();
        List<KeyValue<Bytes, KeyState>> held = new ArrayList<>();
        try (KeyValueIterator<Bytes, KeyState> it = keys.prefixScan(Bytes.wrap(StoreKeys.tablePrefix(t.table())), BYTES)) {
            while (it.hasNext()) {
                KeyValue<Bytes, KeyState> kv = it.next();
                if (kv.value.hash(side) != null) {
                    held.add(kv);
                }
            }
        }
        for (KeyValue<Bytes, KeyState> kv : held) {
            apply(kv.key.get(), side, kv.value, new SideState(null, t.commitMicros(), t.position(), stamp));
        }
        if (!held.isEmpty()) {
            LOG.info("TRUNCATE of {} on the {}: {} rows of partition {} deleted there", t.table(), side.label(), held.size(),
                    context.taskId().partition());
        }
    }

    /**
     * Many keys of the initial load, with the same guards. Each key is judged by the same rules as a
     * single {@link Baseline}; the common case — a key first seen here, equal on both sides — needs no
     * mismatch bookkeeping, so those keys' states are written together (one RocksDB write batch) and
     * each chunk touched is written once per record instead of once per key.
     */
    private void applyBaselines(BaselineBatch batch) {
        if (settings.byGracePeriod() || !passed(batch.baseline(batch.entries().get(0)))) {
            for (BaselineBatch.Entry e : batch.entries()) {
                applyBaseline(e.key(), batch.baseline(e));
            }
            return;
        }
        String sourcePosition = Baseline.POSITION_PREFIX + batch.sourceGuard();
        String targetPosition = Baseline.POSITION_PREFIX + batch.targetGuard();
        List<KeyValue<Bytes, KeyState>> equal = new ArrayList<>(batch.entries().size());
        java.util.Map<Bytes, ChunkState> touched = new java.util.HashMap<>();
        for (BaselineBatch.Entry e : batch.entries()) {
            Bytes key = Bytes.wrap(e.key());
            KeyState before = keys.get(key);
            if (before != null || e.sourceHash() == null || !e.sourceHash().equals(e.targetHash())) {
                applyBaseline(e.key(), batch.baseline(e)); // seen before, or differing: the general path
                continue;
            }
            SideState s = ReadOver.readOver(null, watermark(Side.SOURCE), e.sourceHash(), batch.sourceGuard(), batch.sourceGuard(),
                    batch.readAtMicros(), sourcePosition, Provenance.INITIAL_LOAD);
            SideState t = ReadOver.readOver(null, watermark(Side.TARGET), e.targetHash(), batch.targetGuard(), batch.targetGuard(),
                    batch.readAtMicros(), targetPosition, Provenance.INITIAL_LOAD);
            if (s == null || t == null) {
                applyBaseline(e.key(), batch.baseline(e)); // a side that cannot take the read: the general path decides
                continue;
            }
            // Equal on both sides and first seen: judged IN_SYNC with nothing to index (see judge()).
            equal.add(KeyValue.pair(key, new KeyState(s, t, KeyState.NEVER).withoutProvenance()));
            Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(CanonicalReader.tableOf(e.key()), settings.chunking().chunkOf(e.key())));
            ChunkState cs = chunk(chunkKey);
            boolean content = CanonicalReader.isContentKey(e.key());
            cs = cs.with(Side.SOURCE, cs.digest(Side.SOURCE).apply(e.key(), content, null, s.hash()))
                    .with(Side.TARGET, cs.digest(Side.TARGET).apply(e.key(), content, null, t.hash()));
            chunkCache.put(chunkKey, cs);
            touched.put(chunkKey, cs);
        }
        keys.putAll(equal);
        touched.forEach((k, cs) -> chunks.put(k, chunkCache.get(k)));
    }

    private void applyRow(byte[] rowKey, RowChange change) {
        KeyState before = keys.get(Bytes.wrap(rowKey));
        if (before == null) {
            before = KeyState.EMPTY;
        }
        Watermark wm = watermark(change.side());
        // A keyed row's change is its new state; a content-keyed row's is one copy more or fewer.
        Hash128 hash = change.op().copies() == 0 ? change.hash()
                : RowHashing.addCopies(rowKey, before.hash(change.side()), change.op().copies());
        SideState now = new SideState(hash, change.commitMicros(), change.position(), wm == null ? SideState.NONE : wm.seq(),
                Provenance.CHANGE_STREAM, change.shape());
        apply(rowKey, change.side(), before, now);
    }

    /**
     * A row the verification sweep read. Applied only when the stream cannot know better: the side's
     * stream has delivered a heartbeat after the read's snapshot (so every logged change the snapshot
     * saw is already in the state), and the key's state predates the snapshot. Then any difference
     * between the two is a write no log recorded, and the observation takes the state's place with
     * its stamp, to be judged by the usual fence rule. A newer captured change wins, whichever
     * arrives first: the observation is dropped, or overwritten like any older change.
     */
    private void applyObservation(byte[] rowKey, Observation obs) {
        Side side = obs.side();
        Watermark wm = watermark(side);
        if (settings.byGracePeriod() || !HeartbeatProgress.passed(wm, obs.guardSeq())) {
            LOG.debug("observation of {} on {} dropped: its stream has not passed heartbeat {}", CanonicalReader.keyColumns(rowKey),
                    side.label(), obs.guardSeq());
            return;
        }
        KeyState before = keys.get(Bytes.wrap(rowKey));
        if (before == null) {
            before = KeyState.EMPTY;
        }
        SideState read = ReadOver.readOver(before.side(side), wm, obs.hash(), obs.guardSeq(), obs.stamp(), obs.readAtMicros(),
                obs.position(), Provenance.REREAD, obs.shape());
        if (read == null) {
            return; // the stream knows better, or the sweep agrees with it
        }
        LOG.info("{} of {} differs from every change its {} log recorded: taking the re-read value", CanonicalReader.keyColumns(rowKey),
                CanonicalReader.tableOf(rowKey), side.label());
        apply(rowKey, side, before, read);
    }

    private void apply(byte[] rowKey, Side side, KeyState before, SideState now) {
        apply(rowKey, before, before.with(side, now));
    }

    /** Moves a key from one state to another: its chunk's digests follow each side's hash, then it is judged. */
    private void apply(byte[] rowKey, KeyState before, KeyState after) {
        String table = CanonicalReader.tableOf(rowKey);
        int chunk = settings.chunking().chunkOf(rowKey);
        Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(table, chunk));
        ChunkState cs = chunk(chunkKey);
        boolean content = CanonicalReader.isContentKey(rowKey);
        for (Side side : Side.values()) {
            if (before.side(side) != after.side(side)) {
                cs = cs.with(side, cs.digest(side).apply(rowKey, content, before.hash(side), after.hash(side)));
            }
        }
        judge(rowKey, table, chunk, chunkKey, after, cs, true);
    }

    /**
     * Both sides of a key as Parity's initial load read them. Like an observation, each side is taken
     * only where its captured state predates the read; unlike one, both are taken together, so a key
     * loaded on one side is never judged before its other side is in place.
     *
     * <p>The loader sends a baseline once each capture has had a heartbeat after its read acknowledged
     * by Kafka. On the source's topic (the baseline's own) that heartbeat therefore comes first; the
     * target's is on the other topic, which Streams may read later. A baseline that overtook it waits
     * in the deferred store and is applied when the heartbeat arrives, never before.
     */
    private void applyBaseline(byte[] rowKey, Baseline b) {
        if (settings.byGracePeriod()) {
            LOG.warn("initial-load record of {} dropped: verdicts are by grace period, not heartbeats", CanonicalReader.keyColumns(rowKey));
            return;
        }
        if (!passed(b)) {
            deferred.defer(rowKey, b);
            return;
        }
        KeyState before = keys.get(Bytes.wrap(rowKey));
        if (before == null) {
            before = KeyState.EMPTY;
        }
        KeyState after = before;
        for (Side side : Side.values()) {
            long guard = b.guard(side);
            SideState read = ReadOver.readOver(before.side(side), watermark(side), b.hash(side), guard, guard, b.readAtMicros(),
                    Baseline.POSITION_PREFIX + guard, Provenance.INITIAL_LOAD);
            if (read != null) {
                after = after.with(side, read);
            }
        }
        if (after != before) {
            apply(rowKey, before, after);
        }
    }

    /** Whether both streams of this partition have delivered a heartbeat after the baseline's reads. */
    private boolean passed(Baseline b) {
        return HeartbeatProgress.passed(watermark(Side.SOURCE), b.sourceGuard()) && HeartbeatProgress.passed(watermark(Side.TARGET), b.targetGuard());
    }

    /**
     * Re-judges one key and writes its state, its index entries and its chunk. Pending-index entries
     * are wake-up calls: one is added at the key's due seq whenever it must be looked at again, and a
     * PENDING key's previous one is removed first (a stale one would only cost a harmless re-judgement).
     */
    private void judge(byte[] rowKey, String table, int chunk, Bytes chunkKey, KeyState state, ChunkState cs, boolean changed) {
        Bytes key = Bytes.wrap(rowKey);
        Bytes mismatchKey = Bytes.wrap(StoreKeys.mismatch(table, chunk, rowKey));
        // A key has a mismatch entry exactly while its stored state records a first-mismatch time: most
        // keys are equal, and for them this saves a store read per change.
        MismatchEntry prev = state.firstMismatchMillis() == KeyState.NEVER ? null : mismatches.get(mismatchKey);
        Verdict from = prev == null ? null : prev.verdict();
        if (from == Verdict.PENDING) {
            // Its wake-up is superseded by this judgement (re-added below if still needed): keeping the index
            // exact means a heartbeat re-judges only keys still mismatched, not every key that changed.
            pending.delete(Bytes.wrap(StoreKeys.pending(prev.due(), rowKey)));
        }
        Verdict to = null;
        long due;
        boolean settled;
        if (settings.byGracePeriod()) {
            // The grace runs from the key's last change; a re-judgement keeps it.
            long now = context.currentSystemTimeMs();
            due = changed || prev == null ? now + settings.grace().toMillis() : prev.due();
            settled = now >= due || state.isGone();
        } else {
            due = FenceRule.due(state, watermark(Side.SOURCE), watermark(Side.TARGET), settings.extraHeartbeats(), !loadWindowOpen());
            if (!MismatchEntry.unknown(due)) {
                due = Math.max(due, verdictFloor);
            }
            settled = FenceRule.settled(due, minWatermark());
            if (!state.matches() && state.shapesDiffer()) {
                // Rows written under different table structures were not compared: PENDING until re-read (README, "How it decides").
                due = MismatchEntry.AWAITING_REREAD;
                settled = false;
                settings.link().requestReread(table);
            }
        }
        if (state.matches()) {
            if (prev != null) {
                mismatches.delete(mismatchKey);
            }
            state = state.withFirstMismatch(KeyState.NEVER).withoutProvenance();
            if (state.isGone() && !settled) {
                wakeUpAt(due, rowKey); // deleted on both sides: keep its stamps until both streams pass its fences
            }
        } else {
            to = FenceRule.mismatchVerdict(settled);
            mismatches.put(mismatchKey, new MismatchEntry(to, due));
            if (to == Verdict.PENDING) {
                wakeUpAt(due, rowKey);
            }
            if (prev == null) {
                state = state.withFirstMismatch(context.currentSystemTimeMs());
            }
            if (to == Verdict.DIVERGENT && from != Verdict.DIVERGENT) {
                verdictEvidence(rowKey, table, chunk, state, due);
            }
        }
        if (state.isGone() && settled && loadWindowOpen()) {
            // Kept while the initial load may still send this key's read (see ReconcilerLink): looked at again later.
            keys.put(key, state);
            wakeUpAt(minWatermark() + TOMBSTONE_RECHECK, rowKey);
        } else if (state.isGone() && settled) {
            keys.delete(key);
            forgotten(state);
        } else {
            keys.put(key, state);
        }
        cs = cs.moved(from, to);
        if (cs.isEmpty()) {
            chunks.delete(chunkKey);
            chunkCache.put(chunkKey, ChunkState.EMPTY);
        } else {
            chunks.put(chunkKey, cs);
            chunkCache.put(chunkKey, cs);
        }
    }

    /**
     * Logs why a key was just judged DIVERGENT: each side's state (stamp, position, how it was learnt), the due heartbeat and
     * both watermarks — the evidence to check a verdict against the fence rule. At INFO for the first
     * {@link #EVIDENCE_AT_INFO} of this task (a mass divergence must not flood the log), at DEBUG after.
     */
    private void verdictEvidence(byte[] rowKey, String table, int chunk, KeyState state, long due) {
        boolean info = evidenceLogged < EVIDENCE_AT_INFO;
        if (!info && !VERDICTS.isDebugEnabled()) {
            return;
        }
        evidenceLogged++;
        StringBuilder b = new StringBuilder();
        for (Side side : Side.values()) {
            SideState s = state.side(side);
            Watermark wm = watermark(side);
            b.append("; ").append(side.label()).append(": ");
            b.append(s == null ? "no state" : (s.exists() ? "row" : "no row") + " stamp " + s.stamp() + " at " + s.position() + " by " + s.provenance());
            b.append(", stream at heartbeat ").append(wm == null ? "none" : wm.seq() + " (first " + wm.firstSeq() + ", " + wm.gaps().size() + " gaps)");
        }
        String line = "key {} of {} chunk {} (partition {}) is DIVERGENT: due at heartbeat {}, both streams past {}{}";
        Object[] args = {CanonicalReader.keyColumns(rowKey), table, chunk, context.taskId().partition(), due, minWatermark(), b};
        if (info) {
            VERDICTS.info(line, args);
        } else {
            VERDICTS.debug(line, args);
        }
    }

    /** See {@link FenceRule#loadMayStillSend}. */
    private boolean loadWindowOpen() {
        return FenceRule.loadMayStillSend(settings.link().loadWindowOpen(), settings.link().loadEnd(), watermark(Side.SOURCE), watermark(Side.TARGET));
    }

    /** Remembers the newest deletion stamp of a forgotten key per side (see {@link ReadOver#predates}). */
    private void forgotten(KeyState state) {
        for (Side side : Side.values()) {
            SideState s = state.side(side);
            Watermark wm = watermark(side);
            if (s != null && wm != null && s.stamp() > wm.forgottenStamp()) {
                Watermark next = wm.forgot(s.stamp());
                watermarks.put(Bytes.wrap(StoreKeys.side(side.label())), next);
                marks[side.ordinal()] = next;
            }
        }
    }

    private void wakeUpAt(long due, byte[] rowKey) {
        pending.put(Bytes.wrap(StoreKeys.pending(due, rowKey)), new byte[0]);
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
        if (!deferred.isEmpty()) {
            deferred.takeReady(this::passed).forEach(e -> applyBaseline(e.getKey(), e.getValue()));
        }
        // Keys whose fence on this side was unknown (stamped before it delivered anything, or at its
        // previous heartbeat) now have one: re-judge them (only those this side's heartbeat can decide),
        // then everything that became due; and once the initial load is over, keys that waited for it.
        List<byte[]> rejudge = new ArrayList<>();
        collect(rejudge, StoreKeys.pendingBound(side == Side.SOURCE ? MismatchEntry.UNKNOWN_SOURCE_DUE : MismatchEntry.UNKNOWN_DUE), null);
        if (!loadWindowOpen()) {
            collect(rejudge, StoreKeys.pendingBound(MismatchEntry.AWAITING_LOAD), null);
        }
        long minAfter = minWatermark();
        if (minAfter > minBefore) {
            collect(rejudge, StoreKeys.pendingBound(0), StoreKeys.pendingBound(minAfter + 1));
        }
        for (byte[] rowKey : rejudge) {
            rejudge(rowKey);
        }
    }

    /** Takes the wake-up calls in range out of the pending index, returning their row keys. */
    private void collect(List<byte[]> out, byte[] from, byte[] to) {
        List<Bytes> taken = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = to == null
                ? pending.prefixScan(Bytes.wrap(from), BYTES)
                : pending.range(Bytes.wrap(from), Bytes.wrap(to))) {
            while (it.hasNext()) {
                taken.add(it.next().key);
            }
        }
        for (Bytes k : taken) {
            pending.delete(k);
            out.add(StoreKeys.rowKeyOfPending(k.get()));
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
        judge(rowKey, table, chunk, chunkKey, state, chunk(chunkKey), false);
    }

    private ChunkState chunk(Bytes chunkKey) {
        ChunkState cs = chunkCache.get(chunkKey);
        if (cs == null) {
            cs = chunks.get(chunkKey);
            cs = cs == null ? ChunkState.EMPTY : cs;
            chunkCache.put(chunkKey, cs);
        }
        return cs;
    }

    private Watermark watermark(Side side) {
        return marks[side.ordinal()];
    }

    /** min(S, T): the newest heartbeat both streams of this partition have delivered; -1 if either has none. */
    private long minWatermark() {
        return FenceRule.bothDelivered(watermark(Side.SOURCE), watermark(Side.TARGET));
    }

}
