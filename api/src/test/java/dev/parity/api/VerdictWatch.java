package dev.parity.api;

import dev.parity.api.app.Parity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an in-process Parity says through a fault: every 100 ms its state, and every key of a table it ever calls
 * DIVERGENT (by its {@code id}), until closed; also the slowest answer, to show nothing waited on the fault.
 */
final class VerdictWatch implements AutoCloseable {
    final List<String> states = new CopyOnWriteArrayList<>();
    final Set<String> divergent = ConcurrentHashMap.newKeySet();
    final AtomicLong slowestMillis = new AtomicLong();
    private final Thread thread;
    private volatile boolean watching = true;

    VerdictWatch(Parity parity, String table) {
        thread = new Thread(() -> {
            while (watching) {
                long t0 = System.nanoTime();
                try {
                    states.add(ParityProbe.state(parity));
                    ParityProbe.divergences(parity, table, 100).stream().filter(d -> "DIVERGENT".equals(d.get("state")))
                            .forEach(d -> divergent.add(String.valueOf(((Map<?, ?>) d.get("key")).get("id"))));
                } catch (RuntimeException | AssertionError e) {
                    states.add("(no answer)");
                }
                slowestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "verdict-watch");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        watching = false;
        thread.join(5_000);
    }
}
