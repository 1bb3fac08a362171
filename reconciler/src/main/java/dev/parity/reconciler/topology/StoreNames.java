package dev.parity.reconciler.topology;

/** The reconciler's state stores (RocksDB, changelogged). */
public final class StoreNames {
    /** row key → {@link dev.parity.reconciler.state.KeyState}. */
    public static final String KEYS = "parity-keys";
    /** [table][chunk] → {@link dev.parity.reconciler.state.ChunkState}. */
    public static final String CHUNKS = "parity-chunks";
    /** [table][chunk][row key] → {@link dev.parity.reconciler.state.MismatchEntry}, for every key that differs. */
    public static final String MISMATCHES = "parity-mismatches";
    /** [due][row key] → empty, for every PENDING key: re-judged when both streams pass {@code due}. */
    public static final String PENDING = "parity-pending";
    /** row key → an encoded {@link dev.parity.reconciler.model.Baseline} that arrived before the streams passed its reads. */
    public static final String DEFERRED = "parity-deferred";
    /** side label → {@link dev.parity.reconciler.state.Watermark} of this partition. */
    public static final String WATERMARKS = "parity-watermarks";

    private StoreNames() {
    }
}
