package dev.parity.ingest.sweep;

import dev.parity.reconciler.model.Side;
import java.time.Instant;

/**
 * One table read completely on one side and compared with the captured state: by Parity's initial
 * load or by a round of the verification sweep. The gate's {@code reread} check wants one for every
 * verified table on every {@code verify.sides} side within {@code verify.maxAge} (README, "The
 * readiness gate"): only a full read rules out writes no change log recorded.
 *
 * @param at   when the read ended
 * @param by   {@link #INITIAL_LOAD} or {@code "sweep round N"}
 */
public record FullRead(String table, Side side, Instant at, long rows, String by) {
    public static final String INITIAL_LOAD = "initial load";
}
