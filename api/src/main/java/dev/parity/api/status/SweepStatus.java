package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.time.Instant;
import java.util.List;

/**
 * The verification sweep in {@link Status} (its {@code verification} field): off with the reason, or
 * its rounds and the latest re-read of every table on every side, and {@code yieldedSeconds}: how long it has waited
 * for Parity's change streams to catch up since the start (README, "Writes no log records: the verification sweep").
 */
public record SweepStatus(boolean enabled, @JsonInclude(Include.NON_NULL) String reason, @JsonInclude(Include.NON_NULL) Long roundsCompleted,
                          @JsonInclude(Include.NON_NULL) String activity, Instant lastRoundStartedAt, Instant lastRoundFinishedAt,
                          @JsonInclude(Include.NON_NULL) List<Table> tables, @JsonInclude(Include.NON_NULL) Long maxAgeSeconds,
                          @JsonInclude(Include.NON_NULL) List<FullRead> lastFullReads,
                          @JsonInclude(Include.NON_NULL) Long yieldedSeconds) {
    public static SweepStatus off(String reason) {
        return new SweepStatus(false, reason, null, null, null, null, null, null, null, null);
    }

    /**
     * When a table was last read completely on a side, by whom, and how long ago (the gate's {@code reread}
     * check wants every one within {@code maxAgeSeconds}).
     *
     * @param by {@code initial load} or {@code sweep round N}
     */
    public record FullRead(String table, String side, Instant at, String by, long rows, long ageSeconds) {
    }

    /**
     * One table on one side in the latest round that reached it.
     *
     * @param differencesSent rows sent to the reconciler as differing from the captured state
     * @param missingSent     captured rows the read did not find, sent as observed absences
     * @param problem         why the table was not (fully) re-read; null when it was
     */
    public record Table(String table, String side, long round, Instant finishedAt, long rowsRead, long rowsMatched, long differencesSent,
                        long missingSent, String problem) {
    }
}
