package dev.parity.reconciler.state;

import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import java.util.Objects;

/**
 * Both sides' digests of one chunk plus how many of its keys are mismatched, by verdict. The
 * digests answer "do the chunks agree"; the counts say whether a difference is judged yet, and the
 * mismatch index says which keys.
 *
 * @param transientMismatches mismatches that resolved before their verdict (replication caught up)
 */
public record ChunkState(Digest source, Digest target, long pendingKeys, long divergentKeys, long transientMismatches) {
    public static final ChunkState EMPTY = new ChunkState(Digest.EMPTY, Digest.EMPTY, 0, 0, 0);

    public ChunkState {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }

    public Digest digest(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    public ChunkState with(Side side, Digest digest) {
        return side == Side.SOURCE
                ? new ChunkState(digest, target, pendingKeys, divergentKeys, transientMismatches)
                : new ChunkState(source, digest, pendingKeys, divergentKeys, transientMismatches);
    }

    /** This chunk with one key moved from verdict {@code from} to {@code to} (either may be null: in sync). */
    public ChunkState moved(Verdict from, Verdict to) {
        long p = pendingKeys - (from == Verdict.PENDING ? 1 : 0) + (to == Verdict.PENDING ? 1 : 0);
        long d = divergentKeys - (from == Verdict.DIVERGENT ? 1 : 0) + (to == Verdict.DIVERGENT ? 1 : 0);
        long t = transientMismatches + (from == Verdict.PENDING && to == null ? 1 : 0);
        return new ChunkState(source, target, p, d, t);
    }

    /** The worst verdict of its keys; a digest difference with no key flagged is never called in sync. */
    public Verdict verdict() {
        if (divergentKeys > 0) {
            return Verdict.DIVERGENT;
        }
        if (pendingKeys > 0 || !source.equals(target)) {
            return Verdict.PENDING;
        }
        return Verdict.IN_SYNC;
    }

    public boolean isEmpty() {
        return source.isEmpty() && target.isEmpty() && pendingKeys == 0 && divergentKeys == 0 && transientMismatches == 0;
    }
}
