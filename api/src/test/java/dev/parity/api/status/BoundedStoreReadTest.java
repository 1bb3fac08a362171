package dev.parity.api.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;

class BoundedStoreReadTest {
    @Test
    void shouldAnswerAsTheReadDoes() {
        BoundedStoreRead reads = new BoundedStoreRead(Duration.ofSeconds(5));
        assertThat(reads.read(() -> 42)).isEqualTo(42);
        assertThatThrownBy(() -> reads.read(() -> {
            throw new InvalidStateStoreException("restoring");
        })).isInstanceOf(InvalidStateStoreException.class).hasMessage("restoring");
    }

    @Test
    void shouldSayTheStoresAreNotAnsweringInsteadOfWaitingForABlockedRead() throws Exception {
        BoundedStoreRead reads = new BoundedStoreRead(Duration.ofMillis(300));
        // A flush holding the store's lock while Kafka is unreachable (a read waits for it uninterruptibly, as on the real store).
        java.util.concurrent.locks.ReentrantReadWriteLock store = new java.util.concurrent.locks.ReentrantReadWriteLock();
        store.writeLock().lock();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> reads.read(() -> {
            store.readLock().lock();
            store.readLock().unlock();
            return 1;
        })).isInstanceOf(InvalidStateStoreException.class).hasMessageContaining("have not answered for 0 s");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        Thread.sleep(400); // the blocked read is now older than the bound
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> reads.read(() -> 2)).isInstanceOf(InvalidStateStoreException.class)
                .hasMessageContaining("its Kafka Streams thread is blocked writing a changelog");
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("no second wait while the first read is stuck").isLessThan(Duration.ofMillis(250));
        store.writeLock().unlock();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Integer answer = null;
        while (answer == null && System.nanoTime() < until) {
            try {
                answer = reads.read(() -> 3);
            } catch (InvalidStateStoreException e) {
                Thread.sleep(50); // the stuck read finishing
            }
        }
        assertThat(answer).as("answers again once the store is free").isEqualTo(3);
    }
}
