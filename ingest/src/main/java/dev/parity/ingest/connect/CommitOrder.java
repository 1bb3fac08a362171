package dev.parity.ingest.connect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Restores the one order the fence rule needs when a side's changes come from Kafka Connect (README,
 * "Deployment"). Debezium on Connect writes each table to its own topic, so a consumer interleaves the
 * tables in no particular order, while a change's fence is the next heartbeat its stream delivers after
 * it: a change passed on before a heartbeat that committed <em>earlier</em> would get a fence too early,
 * and a false alarm. So changes wait here until a heartbeat committed after them arrives; then every
 * waiting change that committed before that heartbeat goes out, in commit order, and the heartbeat after
 * them. A change must not arrive after its heartbeat has gone out: the heartbeat would then be its side's fence
 * without it. {@link ConnectCapture} sees to that by holding each heartbeat until every topic has been read as far
 * as it reached when the heartbeat was read. Heartbeats come in commit order (one row, one topic partition).
 *
 * <p>Positions are engine-specific commit-order keys ({@link Positions}): compared element by element.
 * Not thread-safe: one per capture, called from its consumer thread.
 *
 * @param <T> a change or heartbeat as the caller holds it
 */
public final class CommitOrder<T> {
    /** An item with its commit-order position; null position: unknown. */
    public record Item<T>(T value, long[] position, boolean heartbeat) {
    }

    private static final Comparator<long[]> ORDER = Arrays::compare;
    private final List<Item<T>> waiting = new ArrayList<>();

    /**
     * Takes one item; returns what may go out now, in order (empty while changes wait for a heartbeat).
     * A change with an unknown position waits for the next heartbeat and goes out before it.
     */
    public List<T> offer(Item<T> item) {
        if (!item.heartbeat()) {
            waiting.add(item);
            return List.of();
        }
        List<Item<T>> ready = new ArrayList<>();
        List<Item<T>> still = new ArrayList<>();
        for (Item<T> w : waiting) {
            (w.position() == null || item.position() == null || ORDER.compare(w.position(), item.position()) < 0 ? ready : still).add(w);
        }
        ready.sort((a, b) -> a.position() == null || b.position() == null ? 0 : ORDER.compare(a.position(), b.position()));
        waiting.clear();
        waiting.addAll(still);
        List<T> out = new ArrayList<>(ready.size() + 1);
        ready.forEach(r -> out.add(r.value()));
        out.add(item.value());
        return out;
    }

    /** Items waiting for a heartbeat. */
    public List<T> waiting() {
        return waiting.stream().map(Item::value).toList();
    }
}
