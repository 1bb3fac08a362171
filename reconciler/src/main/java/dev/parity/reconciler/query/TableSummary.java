package dev.parity.reconciler.query;

import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.state.Verdict;

/**
 * One table's reconciliation, summed over its chunks.
 *
 * @param chunksInSync chunks of the 2^bits whose digests agree and that hold no mismatched key
 */
public record TableSummary(String table, Digest source, Digest target, int chunks, int chunksInSync,
                           int pendingChunks, int divergentChunks,
                           long pendingKeys, long divergentKeys, long transientMismatches) {

    public Verdict verdict() {
        if (divergentKeys > 0) {
            return Verdict.DIVERGENT;
        }
        return chunksInSync == chunks ? Verdict.IN_SYNC : Verdict.PENDING;
    }
}
