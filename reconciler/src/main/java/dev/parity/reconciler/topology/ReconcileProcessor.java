package dev.parity.reconciler.topology;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Baseline;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.ChangeBatch;
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
 * Applies both sides' change streams of one partition: each event — a row change, a heartbeat, a read of Parity's
 * initial load or of the verification sweep, a TRUNCATE; a record may carry a capture batch's events of the partition
 * ({@link ChangeBatch}), applied in order — becomes a key's new state, which {@link PartitionJudge}
 * judges and writes. The rules it applies live in {@code rules}: {@link ReadOver} (when a value read outside the
 * stream replaces the captured state), {@link HeartbeatProgress} (whether a stream passed a heartbeat), and, through
 * the judge, {@link FenceRule} (README, "How it decides").
 */
final class ReconcileProcessor implements Processor<Bytes, CaptureEvent, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileProcessor.class);
    private static final BytesSerializer BYTES = new BytesSerializer();
    private static final java.time.Duration GRACE_TICK = java.time.Duration.ofSeconds(1);

    private final ReconcilerSettings settings;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<Bytes, KeyState> keys;
    private DeferredBaselines deferred;
    /** Judges this partition's keys; made anew at each init (see {@link PartitionJudge}). */
    private PartitionJudge judge;
    /** How far this task has processed each of its two input partitions, shared with status (see {@link ReconcilerLink}). */
    private java.util.concurrent.atomic.AtomicLong sourcePosition;
    private java.util.concurrent.atomic.AtomicLong targetPosition;
    /** At-least-once: the stores are audited before this task's first record (see {@link StateAudit}). */
    private boolean auditPending;

    ReconcileProcessor(ReconcilerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.keys = context.getStateStore(StoreNames.KEYS);
        this.deferred = new DeferredBaselines(context.getStateStore(StoreNames.DEFERRED));
        // A task revived after a failure calls init() again on the same processor: what the stores held
        // may have been rolled back, so nothing cached from before may survive.
        this.judge = new PartitionJudge(settings, context);
        int partition = context.taskId().partition();
        sourcePosition = settings.link().reset(new org.apache.kafka.common.TopicPartition(settings.sourceTopic(), partition));
        targetPosition = settings.link().reset(new org.apache.kafka.common.TopicPartition(settings.targetTopic(), partition));
        if (settings.byGracePeriod()) {
            context.schedule(GRACE_TICK, PunctuationType.WALL_CLOCK_TIME, this::judgeExpiredGrace);
        }
        // Audited before the first record, not here: a changelogged store may only be written with a record in hand.
        auditPending = settings.auditOnStart();
        // The stores are restored by now; the indexes are not changelogged, so they are written here, before status reads them.
        rebuildIndexes();
    }

    /**
     * Rebuilds the mismatch and wake-up indexes from the key states when the task starts (see
     * {@link PartitionJudge#rebuildIndexes}). Mismatched keys stored by a build whose states did not carry their entries
     * are judged afresh by the audit, which also rebuilds the chunk counts from the entries.
     */
    private void rebuildIndexes() {
        PartitionJudge.Rebuilt r = judge.rebuildIndexes();
        if (r.entries() + r.wakeUps() > 0) {
            LOG.info("partition {}: {} mismatched key(s) and {} wake-up(s) put back from the key states", context.taskId().partition(),
                    r.entries(), r.wakeUps());
        }
        if (r.legacy() > 0) {
            LOG.info("partition {}: {} mismatched key(s) stored by an earlier version, without their verdicts: judged afresh",
                    context.taskId().partition(), r.legacy());
            auditPending = true;
        }
    }

    /** At-least-once: the derived stores rebuilt from the key states (see {@link StateAudit}), keys left unjudged judged afresh. */
    private void audit(int partition) {
        auditPending = false;
        StateAudit.Result r = StateAudit.run(settings.chunking(), keys, context.getStateStore(StoreNames.CHUNKS),
                context.getStateStore(StoreNames.MISMATCHES), context.getStateStore(StoreNames.PENDING));
        for (byte[] rowKey : r.unjudged()) {
            KeyState state = keys.get(Bytes.wrap(rowKey));
            // No entry: judged as a mismatch first seen now, so its verdict and its chunk's count are added, not moved.
            KeyState fresh = state.withFirstMismatch(KeyState.NEVER).withMismatch(null);
            keys.put(Bytes.wrap(rowKey), fresh);
            judge.rejudge(rowKey);
        }
        if (r.chunksRewritten() + r.staleEntries() + r.unjudged().size() > 0) {
            LOG.warn("partition {}: the reconciler's stores disagreed after an at-least-once restart and were rebuilt from the key states"
                    + " ({} chunks rewritten, {} stale mismatch entries dropped, {} keys judged again)", partition, r.chunksRewritten(),
                    r.staleEntries(), r.unjudged().size());
        }
    }

    /** Grace-period mode: every mismatch whose grace ran out is judged again (it becomes DIVERGENT). */
    private void judgeExpiredGrace(long now) {
        if (auditPending) {
            audit(context.taskId().partition());
        }
        List<byte[]> due = new ArrayList<>();
        judge.collect(due, StoreKeys.pendingBound(0), StoreKeys.pendingBound(now + 1));
        for (byte[] rowKey : due) {
            judge.rejudge(rowKey);
        }
    }

    @Override
    public void process(Record<Bytes, CaptureEvent> record) {
        if (auditPending) {
            audit(context.taskId().partition());
        }
        CaptureEvent event = record.value();
        if (event instanceof ChangeBatch batch) {
            for (ChangeBatch.Entry e : batch.entries()) {
                apply(e.key(), e.event()); // in capture order, each as if it were its own record
            }
        } else if (event != null) {
            apply(record.key() == null ? null : record.key().get(), event);
        } // else a tombstone: the DELETE before it already removed the row
        context.recordMetadata().ifPresent(m -> (m.topic().equals(settings.sourceTopic()) ? sourcePosition : targetPosition).set(m.offset() + 1));
    }

    /** One event; {@code rowKey} is the row key it applies to (a heartbeat's or a TRUNCATE's is not used). */
    private void apply(byte[] rowKey, CaptureEvent event) {
        if (event instanceof RowChange change) {
            applyRow(rowKey, change);
        } else if (event instanceof Heartbeat heartbeat) {
            applyHeartbeat(heartbeat);
        } else if (event instanceof Observation observation) {
            applyObservation(rowKey, observation);
        } else if (event instanceof Baseline baseline) {
            applyBaseline(rowKey, baseline);
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
        Watermark wm = judge.watermark(side);
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
        java.util.Set<Bytes> touched = new java.util.HashSet<>();
        for (BaselineBatch.Entry e : batch.entries()) {
            Bytes key = Bytes.wrap(e.key());
            KeyState before = keys.get(key);
            if (before != null || e.sourceHash() == null || !e.sourceHash().equals(e.targetHash())) {
                applyBaseline(e.key(), batch.baseline(e)); // seen before, or differing: the general path
                continue;
            }
            SideState s = ReadOver.readOver(null, judge.watermark(Side.SOURCE), e.sourceHash(), batch.sourceGuard(), batch.sourceGuard(),
                    batch.readAtMicros(), sourcePosition, Provenance.INITIAL_LOAD);
            SideState t = ReadOver.readOver(null, judge.watermark(Side.TARGET), e.targetHash(), batch.targetGuard(), batch.targetGuard(),
                    batch.readAtMicros(), targetPosition, Provenance.INITIAL_LOAD);
            if (s == null || t == null) {
                applyBaseline(e.key(), batch.baseline(e)); // a side that cannot take the read: the general path decides
                continue;
            }
            // Equal on both sides and first seen: judged IN_SYNC with nothing to index (see judge()).
            equal.add(KeyValue.pair(key, new KeyState(s, t, KeyState.NEVER).withoutProvenance()));
            Bytes chunkKey = Bytes.wrap(StoreKeys.chunk(CanonicalReader.tableOf(e.key()), settings.chunking().chunkOf(e.key())));
            ChunkState cs = judge.chunk(chunkKey);
            boolean content = CanonicalReader.isContentKey(e.key());
            cs = cs.with(Side.SOURCE, cs.digest(Side.SOURCE).apply(e.key(), content, null, s.hash()))
                    .with(Side.TARGET, cs.digest(Side.TARGET).apply(e.key(), content, null, t.hash()));
            judge.cacheChunk(chunkKey, cs); // the next key of this chunk reads it
            touched.add(chunkKey);
        }
        keys.putAll(equal);
        touched.forEach(judge::storeChunk);
    }

    private void applyRow(byte[] rowKey, RowChange change) {
        KeyState before = keys.get(Bytes.wrap(rowKey));
        if (before == null) {
            before = KeyState.EMPTY;
        }
        Watermark wm = judge.watermark(change.side());
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
        Watermark wm = judge.watermark(side);
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
        judge.apply(rowKey, before, before.with(side, now));
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
            SideState read = ReadOver.readOver(before.side(side), judge.watermark(side), b.hash(side), guard, guard, b.readAtMicros(),
                    Baseline.POSITION_PREFIX + guard, Provenance.INITIAL_LOAD);
            if (read != null) {
                after = after.with(side, read);
            }
        }
        if (after != before) {
            judge.apply(rowKey, before, after);
        }
    }

    /** Whether both streams of this partition have delivered a heartbeat after the baseline's reads. */
    private boolean passed(Baseline b) {
        return HeartbeatProgress.passed(judge.watermark(Side.SOURCE), b.sourceGuard()) && HeartbeatProgress.passed(judge.watermark(Side.TARGET), b.targetGuard());
    }

    private void applyHeartbeat(Heartbeat hb) {
        Side side = hb.side();
        Watermark wm = judge.watermark(side);
        long now = context.currentSystemTimeMs();
        if (wm != null && hb.seq() <= wm.seq()) {
            return; // a replay after a crash or a duplicate: watermarks never move back
        }
        long minBefore = judge.minWatermark();
        Watermark next = wm == null ? Watermark.first(hb.seq(), hb.writtenAtMicros(), now) : wm.advance(hb.seq(), hb.writtenAtMicros(), now);
        judge.watermark(side, next);
        if (!deferred.isEmpty()) {
            deferred.takeReady(this::passed).forEach(e -> applyBaseline(e.getKey(), e.getValue()));
        }
        // Keys whose fence on this side was unknown (stamped before it delivered anything, or at its
        // previous heartbeat) now have one: re-judge them (only those this side's heartbeat can decide),
        // then everything that became due; and once the initial load is over, keys that waited for it.
        List<byte[]> rejudge = new ArrayList<>();
        judge.collect(rejudge, StoreKeys.pendingBound(side == Side.SOURCE ? MismatchEntry.UNKNOWN_SOURCE_DUE : MismatchEntry.UNKNOWN_DUE), null);
        if (!judge.loadWindowOpen()) {
            judge.collect(rejudge, StoreKeys.pendingBound(MismatchEntry.AWAITING_LOAD), null);
        }
        long minAfter = judge.minWatermark();
        if (minAfter > minBefore) {
            judge.collect(rejudge, StoreKeys.pendingBound(0), StoreKeys.pendingBound(minAfter + 1));
        }
        for (byte[] rowKey : rejudge) {
            judge.rejudge(rowKey);
        }
    }

}
