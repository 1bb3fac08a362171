package dev.parity.reconciler.model;

import java.util.Objects;

/**
 * A {@code TRUNCATE} of one table that one side's log recorded: every row of the table on that side is
 * gone at once, with no per-row events. Written to every partition of the side's topic (like a
 * {@link Heartbeat}), each partition's reconciler deletes that side's rows of the table it holds, in the
 * stream's order: changes before the truncate are deleted with it, rows inserted after it stay.
 *
 * @param table    the mapped table id (as in the canonical row key)
 * @param position the truncate's position in its database's log
 */
public record Truncate(Side side, String table, long commitMicros, String position) implements CaptureEvent {
    public Truncate {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(position, "position");
    }
}
