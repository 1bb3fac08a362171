package dev.parity.ingest.setup;

import dev.parity.reconciler.model.Side;
import java.util.List;

/**
 * One thing Parity needs on one side (README, "Setting up: parity setup"), whether it is there, and the SQL that
 * puts it there for the user to review.
 *
 * @param what  what is needed, in words
 * @param sql   the statements, in order; empty when there is nothing to run here
 * @param apply who runs {@code sql}
 * @param note  why, or what else to do; null when the line says it all
 */
public record SetupStep(Side side, String what, State state, List<String> sql, Apply apply, String note) {
    public SetupStep {
        sql = List.copyOf(sql);
    }

    public enum State {
        /** Present. */
        OK,
        /** Missing: Parity refuses to start, or cannot reach verdicts, until it is there. */
        MISSING,
        /** Advice with nothing checked: the least-privilege user, for instance. */
        REVIEW
    }

    public enum Apply {
        /** {@code parity setup --apply} runs it: it creates only Parity's own objects on that side. */
        SAFE,
        /** It changes your replication, your tables or your server's settings: run it yourself, after review. */
        YOURS,
        /** A server setting that takes effect only after a restart: change the server's configuration. */
        RESTART,
        /** Nothing to run on this side. */
        NONE
    }

    static SetupStep ok(Side side, String what) {
        return new SetupStep(side, what, State.OK, List.of(), Apply.NONE, null);
    }

    static SetupStep missing(Side side, String what, Apply apply, String note, String... sql) {
        return new SetupStep(side, what, State.MISSING, List.of(sql), apply, note);
    }

    public boolean missing() {
        return state == State.MISSING;
    }
}
