package dev.parity.api.status;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * A read of the reconciler's stores that status waits for at most a few seconds (README, "When things fail").
 *
 * <p>Why: the chunk store is cached, and Kafka Streams flushes that cache into the store's changelog at every commit
 * holding the store's lock, which every read takes. With Kafka unreachable the flush waits for the broker (up to the
 * producer's {@code max.block.ms}, a minute), and so would every status: the monitor, alerts and the dashboard would go
 * quiet, and a status computed before the outage would be the last word. A read that does not answer in time instead
 * fails as the stores being unavailable, so status says why it is not IN_SYNC at once. Reads run one at a time on a
 * thread of their own; while one has been waiting longer than the bound, the next fails without waiting again.
 */
final class BoundedStoreRead {
    /** Far above a read's normal milliseconds, well below the minute a blocked flush can take. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private final Duration wait;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parity-status-read");
        t.setDaemon(true);
        return t;
    });
    /** When the read running now began (nanoTime); 0 while none runs. */
    private volatile long readingSince;

    BoundedStoreRead(Duration wait) {
        this.wait = wait;
    }

    /** The read's answer; throws {@link InvalidStateStoreException} with the reason when the stores do not answer in time. */
    <T> T read(Callable<T> read) {
        long since = readingSince;
        if (since != 0 && System.nanoTime() - since > wait.toNanos()) {
            throw notAnswering((System.nanoTime() - since) / 1_000_000_000L);
        }
        Future<T> f = reader.submit(() -> {
            readingSince = System.nanoTime();
            try {
                return read.call();
            } finally {
                readingSince = 0;
            }
        });
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw notAnswering(wait.toSeconds());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidStateStoreException("interrupted while reading the reconciler's stores");
        }
    }

    private static InvalidStateStoreException notAnswering(long seconds) {
        return new InvalidStateStoreException("the reconciler's stores have not answered for " + seconds + " s: its Kafka Streams thread is"
                + " blocked writing a changelog (is Kafka reachable?)");
    }
}
