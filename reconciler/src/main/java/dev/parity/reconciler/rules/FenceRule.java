package dev.parity.reconciler.rules;

import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.MismatchEntry;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.Verdict;
import dev.parity.reconciler.state.Watermark;

/**
 * The fence/verdict rule (README, "How it decides"): when a mismatched key may be called DIVERGENT.
 *
 * <p>A key's last change on a side is stamped with the last heartbeat that side's stream delivered
 * before it; its fence is the next heartbeat that stream delivers. A mismatched key is due once both
 * streams have delivered heartbeat {@code max(fence_source, fence_target)} (plus {@code extra} where the
 * replica may apply out of commit order): by then the target has applied everything the source
 * committed before the key's last change, and the source stream has delivered everything committed
 * before the target's. Until then it is PENDING; after, a mismatch is DIVERGENT.
 */
public final class FenceRule {
    private FenceRule() {
    }

    /**
     * The heartbeat seq both streams must deliver before this key can be judged, or
     * one of {@link MismatchEntry}'s unknown dues while a side's fence has not been delivered yet (saying
     * whose heartbeat can decide). A side with no
     * state for the key holds it absent since its stream began, so its fence is the first heartbeat that
     * stream delivered. That is exact only while a key deleted on both sides is kept, stamps and all,
     * until it settles: forgetting it earlier would turn a later fence into this early one, and an early
     * fence is a false alarm.
     */
    public static long due(KeyState state, Watermark source, Watermark target, int extra) {
        return due(state, source, target, extra, true);
    }

    /**
     * As {@link #due(KeyState, Watermark, Watermark, int)}, where {@code absenceKnown} says whether a side
     * with no state for a key really held no such row: true once every row present when the streams
     * began has been delivered (by the connectors' snapshot, or by Parity's initial load once it is
     * applied). While Parity's load is still in flight a side with no state may only not be loaded yet,
     * so such a key's due is unknown until its read arrives (README, "The first baseline").
     */
    public static long due(KeyState state, Watermark source, Watermark target, int extra, boolean absenceKnown) {
        long due = 0;
        boolean sourceUnknown = false;
        boolean targetUnknown = false;
        for (Side side : Side.values()) {
            SideState s = state.side(side);
            if (s == null && !absenceKnown) {
                return MismatchEntry.AWAITING_LOAD;
            }
            long stamp = s == null ? SideState.NONE : s.stamp();
            Watermark wm = side == Side.SOURCE ? source : target;
            if (wm == null || (stamp != SideState.NONE && wm.seq() <= stamp)) {
                if (side == Side.SOURCE) {
                    sourceUnknown = true;
                } else {
                    targetUnknown = true;
                }
                continue;
            }
            due = Math.max(due, wm.fenceOf(stamp));
        }
        // Whose next heartbeat can decide: the target's when its fence is unknown (whatever the source's),
        // else the source's. A heartbeat then re-judges only the keys it can move.
        if (targetUnknown) {
            return MismatchEntry.UNKNOWN_DUE;
        }
        if (sourceUnknown) {
            return MismatchEntry.UNKNOWN_SOURCE_DUE;
        }
        return due + extra;
    }

    /**
     * Whether an initial load may still send a partition records, so that a side with no state for a key may only be
     * waiting for its read (the {@code absenceKnown} of {@link #due}): while one is running, and until both streams
     * of the partition have delivered {@code loadEnd}, the heartbeat that closed the last finished load (-1: none) —
     * after a crash the restored state may predate the load's last records, which are then read again.
     */
    public static boolean loadMayStillSend(boolean loadRunning, long loadEnd, Watermark source, Watermark target) {
        return loadRunning || loadEnd >= 0 && (source == null || target == null || source.seq() < loadEnd || target.seq() < loadEnd);
    }

    /**
     * The first heartbeat a verdict may be due at after an at-least-once restart: one after the newest either side's
     * restored watermark holds. Under at-least-once the watermarks' changelog can be ahead of the key store's (a
     * crash lost a key's last write but kept a later heartbeat's) while input is replayed from an older committed
     * offset: that key's fence would come from heartbeats its own replayed change has not caught up with, an early
     * fence, a false DIVERGENT. Every record from before the crash precedes, in its partition, the first heartbeat
     * after the restored ones, so by then the replay has put back whatever the crash lost.
     */
    public static long restartFloor(Watermark source, Watermark target) {
        return Math.max(source == null ? -1 : source.seq(), target == null ? -1 : target.seq()) + 1;
    }

    /** min(S, T): the newest heartbeat both streams of a partition have delivered; -1 if either has none. */
    public static long bothDelivered(Watermark source, Watermark target) {
        return source == null || target == null ? -1 : Math.min(source.seq(), target.seq());
    }

    /** Whether a key due at {@code due} is settled once both streams delivered {@code bothDelivered}. */
    public static boolean settled(long due, long bothDelivered) {
        return !MismatchEntry.unknown(due) && bothDelivered >= due;
    }

    /** The verdict of a key whose two sides differ: DIVERGENT once settled, PENDING before. */
    public static Verdict mismatchVerdict(boolean settled) {
        return settled ? Verdict.DIVERGENT : Verdict.PENDING;
    }
}
