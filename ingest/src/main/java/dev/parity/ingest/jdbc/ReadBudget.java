package dev.parity.ingest.jdbc;

import java.time.Duration;

/**
 * A read budget of rows per second on one database, to stay a polite guest on production (README,
 * "Configuration": {@code verify.maxRowsPerSecond}, {@code snapshot.maxRowsPerSecond}). A reader reports
 * the rows each page brought and waits while it is ahead of the budget since it began; 0 rows per
 * second is no budget. Not thread-safe: one per reading thread.
 */
public final class ReadBudget {
    /** How a reader waits: its own stoppable wait, so that stopping Parity does not wait out a budget. */
    @FunctionalInterface
    public interface Waiter {
        void waitFor(Duration d) throws InterruptedException;
    }

    private final int rowsPerSecond;
    private final Waiter waiter;
    private final long startNanos = System.nanoTime();
    private long rows;

    /** @param rowsPerSecond at most this many rows a second on average since now; 0: unlimited */
    public ReadBudget(int rowsPerSecond, Waiter waiter) {
        if (rowsPerSecond < 0) {
            throw new IllegalArgumentException("a read budget is 0 (none) or more rows a second, not " + rowsPerSecond);
        }
        this.rowsPerSecond = rowsPerSecond;
        this.waiter = waiter;
    }

    /** Counts rows just read; waits until reading them keeps the average within the budget. */
    public void spent(long read) throws InterruptedException {
        rows += read;
        long ahead = aheadNanos(rows, rowsPerSecond, System.nanoTime() - startNanos);
        if (ahead > 1_000_000L) {
            waiter.waitFor(Duration.ofNanos(ahead));
        }
    }

    /** How far {@code rows} read in {@code elapsedNanos} are ahead of {@code rowsPerSecond} (0: unlimited), in nanoseconds. */
    static long aheadNanos(long rows, int rowsPerSecond, long elapsedNanos) {
        if (rowsPerSecond == 0) {
            return 0;
        }
        long due = (long) (rows * 1e9 / rowsPerSecond);
        return Math.max(0, due - elapsedNanos);
    }
}
