package dev.parity.reconciler.query;

import dev.parity.reconciler.state.Verdict;

/** One non-empty chunk of a table: its verdict and counts, for the dashboard's heatmap (README, "CLI and HTTP API"). */
public record ChunkView(int chunk, Verdict state, long sourceRows, long targetRows, long pendingKeys, long divergentKeys) {
}
