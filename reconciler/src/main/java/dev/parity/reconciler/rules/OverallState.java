package dev.parity.reconciler.rules;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.reconciler.model.Side;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The overall state rule (README, "How it decides"): from what is known about the captures, the
 * reconciler and every watched table, the one word status leads with, and every reason it is not
 * IN_SYNC. Precedence: {@code STALE > SNAPSHOTTING > DIVERGENT > PENDING > UNVERIFIED > IN_SYNC}.
 *
 * <p>Fail-safe: IN_SYNC only when both captures stream and are current, the reconciler has processed
 * what they produced, at least one table is watched, every watched table is verified, and every chunk of
 * every table agrees. A known fault (a failed heartbeat write, a capture that lost its connection or is
 * restarting) is STALE at once; silence is STALE only after {@link #STALE_AFTER}, for faults nobody reports.
 */
public final class OverallState {
    /** A streaming side with no event for this long is STALE (heartbeats arrive every interval). */
    public static final Duration STALE_AFTER = Duration.ofSeconds(30);

    public enum State { STALE, SNAPSHOTTING, DIVERGENT, PENDING, UNVERIFIED, IN_SYNC }

    /**
     * What is known of one side's capture.
     *
     * @param error      why it failed or restarts; null while healthy
     * @param silentFor  time since it last delivered anything; null when it never did
     * @param connected  false when the connector reports its connection to the database lost
     */
    public record Capture(Side side, CapturePhase phase, String error, Duration silentFor, boolean connected) {
        public Capture {
            Objects.requireNonNull(side, "side");
            Objects.requireNonNull(phase, "phase");
        }
    }

    /**
     * One watched table.
     *
     * @param unverified why the table cannot be verified (no key, missing on the target, gone since start); null when it is
     * @param known      false when the reconciler could not be asked about it
     */
    public record Table(String table, String unverified, boolean known, long pendingKeys, long divergentKeys, boolean allChunksInSync) {
        public static Table unverified(String table, String reason) {
            return new Table(table, Objects.requireNonNull(reason, "reason"), false, 0, 0, false);
        }
    }

    /**
     * Everything the rule looks at, gathered by the application once per tick.
     *
     * @param initialLoad        what Parity's own initial load is doing while it runs; null when none runs
     * @param reconcilerError    why the reconciler's stores cannot be queried; null when they can
     * @param reconcilerBehind   why the reconciler has not processed what was captured; null when it has
     * @param sourceFreshness    how current the reconciler's view of the source stream is; null when it could not be asked
     * @param targetFreshness    the same for the target stream
     * @param heartbeats         whether Parity writes heartbeats (off: grace-period verdicts)
     * @param heartbeatFailure   why the last heartbeat write failed; null when it succeeded
     * @param warnings           problems found at start that keep verdicts from being reached, said as reasons
     * @param heartbeatTable     the source's heartbeat table, named in the reason when the target's stream lacks it
     */
    public record Facts(List<Capture> captures, String initialLoad, String reconcilerError, List<Table> tables, List<String> warnings,
                        String reconcilerBehind, HeartbeatProgress.Freshness sourceFreshness, HeartbeatProgress.Freshness targetFreshness,
                        boolean heartbeats, String heartbeatFailure, String heartbeatTable) {
        public Facts {
            captures = List.copyOf(captures);
            tables = List.copyOf(tables);
            warnings = List.copyOf(warnings);
        }
    }

    /** The state and, in order of discovery, why it is not IN_SYNC (empty only for IN_SYNC). */
    public record Result(State state, List<String> reasons) {
        public Result {
            reasons = List.copyOf(reasons);
        }
    }

    private OverallState() {
    }

    public static Result evaluate(Facts f) {
        List<String> reasons = new ArrayList<>();
        boolean stale = false;
        boolean snapshotting = false;
        for (Capture c : f.captures()) {
            String side = c.side().label();
            if (c.phase() == CapturePhase.STOPPED) {
                stale = true;
                reasons.add(side + " capture stopped" + (c.error() == null ? "" : ": " + c.error()));
            } else if (c.error() != null) {
                stale = true; // a capture that failed and restarts: a known fault, not a snapshot
                reasons.add(side + " capture is restarting: " + c.error());
            } else if (!c.connected()) {
                stale = true;
                reasons.add(side + " capture lost its connection to the database");
            } else if (c.phase() != CapturePhase.STREAMING) {
                snapshotting = true;
            } else if (c.silentFor() == null) {
                // Not current until it has delivered something (a capture restarted again and again, its broker gone,
                // never does); at a start this is the usual first seconds, and says so.
                stale = true;
                reasons.add(side + " capture has delivered nothing yet");
            } else if (c.silentFor().compareTo(STALE_AFTER) > 0) {
                stale = true;
                reasons.add(side + " capture has delivered nothing for over " + STALE_AFTER.toSeconds() + " s");
            }
        }
        if (f.heartbeats() && f.heartbeatFailure() != null) {
            stale = true; // known at once: no fence can be written, so no verdict can move forward
            reasons.add(f.heartbeatFailure());
        }
        if (f.initialLoad() != null) {
            snapshotting = true;
            reasons.add("initial load by Parity: " + f.initialLoad());
        }
        if (f.reconcilerError() != null) {
            stale = true;
            reasons.add("reconciler not ready: " + f.reconcilerError());
        }
        long pending = 0;
        long divergent = 0;
        boolean allChunksInSync = true;
        boolean unverified = false;
        int verified = 0;
        for (Table t : f.tables()) {
            if (t.unverified() != null) {
                unverified = true;
                reasons.add(t.table() + " not verified: " + t.unverified());
            } else if (t.known()) {
                verified++;
                pending += t.pendingKeys();
                divergent += t.divergentKeys();
                allChunksInSync &= t.allChunksInSync();
            }
        }
        reasons.addAll(f.warnings());
        boolean catchingUp = false;
        if (!stale && !snapshotting && f.reconcilerBehind() != null) {
            catchingUp = true;
            reasons.add(f.reconcilerBehind());
        }
        if (f.heartbeats() && f.reconcilerError() == null && !stale && !snapshotting) {
            for (Side side : Side.values()) {
                HeartbeatProgress.Freshness fr = side == Side.SOURCE ? f.sourceFreshness() : f.targetFreshness();
                if (fr == HeartbeatProgress.Freshness.STALE) {
                    stale = true;
                    reasons.add("the reconciler has processed no heartbeat of the " + side.label() + " stream written in the last "
                            + STALE_AFTER.toSeconds() + " s");
                } else if (fr == null || fr == HeartbeatProgress.Freshness.CATCHING_UP) {
                    catchingUp = true;
                    reasons.add("the reconciler has not yet processed, on every partition, a heartbeat of the " + side.label()
                            + " stream written since Parity started or last recovered from a fault" + (side == Side.TARGET
                            ? " (is " + f.heartbeatTable() + " replicated to the target?)" : ""));
                }
            }
        }
        if (verified == 0 && f.reconcilerError() == null) {
            unverified = true; // defence in depth: start refuses an empty filter, but nothing verified is never IN_SYNC
            reasons.add(f.tables().isEmpty() ? "no table is watched: nothing has been verified" : "no watched table is verified");
        }
        State state;
        if (stale) {
            state = State.STALE;
        } else if (snapshotting) {
            state = State.SNAPSHOTTING;
        } else if (divergent > 0) {
            state = State.DIVERGENT;
        } else if (pending > 0 || !allChunksInSync || catchingUp) {
            state = State.PENDING;
        } else if (unverified) {
            state = State.UNVERIFIED;
        } else {
            state = State.IN_SYNC;
        }
        return new Result(state, reasons);
    }
}
