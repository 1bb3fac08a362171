package dev.parity.reconciler.topology;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * What the reconciler's processors and the application that runs them share within one process,
 * outside the stores.
 *
 * <ul>
 *   <li><b>The load window.</b> While Parity's initial load may still send records, a key deleted on both
 *       sides keeps its state instead of being forgotten: a load record of that key, read before the
 *       deletion, must find the deletion's stamp to be refused (README, "The first baseline"). Forgetting
 *       it would leave only the side's single forgotten-stamp bound, which then refuses every absent key
 *       read before it, deleted or not — keys the load read would be lost. Opened before the reconciler
 *       starts when a load is planned, closed once the reconciler has passed the load's last heartbeat. And
 *       it stays open on each partition until that partition has delivered, on both streams, the heartbeat
 *       that closed the last finished load ({@link #loadEndsAt}): after a crash the restored stores may
 *       predate the load's last records, which the reconciler then reads again. Until it has, a key with
 *       no state on one side may only be waiting for its load record (seen: a row inserted as the streams
 *       began, on the source's stream but not the target's, judged missing on the target before the
 *       replayed load record put it there).</li>
 *   <li><b>Input positions.</b> How far each input partition has been processed: status compares them with
 *       what the captures produced. Committed offsets trail them by up to a commit interval.</li>
 *   <li><b>Re-read requests.</b> Tables holding a key whose two sides' rows have different shapes (one side
 *       altered before the other): the sweep re-reads them at once, once both sides' structures agree.</li>
 * </ul>
 */
public final class ReconcilerLink {
    /** A position not known in this process (before the first record, or since the task was re-initialised). */
    public static final long UNKNOWN = -1;

    private volatile boolean loadWindow;
    private volatile long loadEnd = -1;
    private final ConcurrentHashMap<String, Long> rereads = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TopicPartition, AtomicLong> positions = new ConcurrentHashMap<>();

    public void openLoadWindow() {
        loadWindow = true;
    }

    public void closeLoadWindow() {
        loadWindow = false;
    }

    public boolean loadWindowOpen() {
        return loadWindow;
    }

    /** The last finished initial load was closed by heartbeat {@code seq}: see the load window above. */
    public void loadEndsAt(long seq) {
        loadEnd = Math.max(loadEnd, seq);
    }

    /** The heartbeat that closed the last finished initial load; -1 when none is known. */
    public long loadEnd() {
        return loadEnd;
    }

    /** Asks for the table to be re-read now (a processor judged one of its keys' shapes different). */
    public void requestReread(String table) {
        rereads.merge(table, 1L, Long::sum);
    }

    /** The tables asked for, each with a request count to pass to {@link #rereadDone}. */
    public java.util.Map<String, Long> rereadRequests() {
        return java.util.Map.copyOf(rereads);
    }

    /** The table was re-read after the requests counted: they are answered (newer ones stay). */
    public void rereadDone(String table, long requests) {
        rereads.remove(table, requests);
    }

    /** The next offset to process on a partition, {@link #UNKNOWN} if not known here. */
    public long position(TopicPartition partition) {
        AtomicLong p = positions.get(partition);
        return p == null ? UNKNOWN : p.get();
    }

    /** The processor's counter for one partition, reset to unknown (a task starting over may have had its stores rolled back). */
    AtomicLong reset(TopicPartition partition) {
        AtomicLong p = positions.computeIfAbsent(partition, k -> new AtomicLong());
        p.set(UNKNOWN);
        return p;
    }
}
