package dev.parity.api.alerts;

import dev.parity.api.status.LagHistory;
import dev.parity.api.status.Status;
import dev.parity.api.status.StatusService;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once a second: computes the status, samples lag into the history and turns status changes into alerts. A failing tick is logged at WARN, once per
 * run of failures: alerting must never stop silently.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
    /** Divergences read per divergent table to name its chunks and sample keys in an alert. */
    static final int DIVERGENCES_READ = 1_000;

    private final StatusService status;
    private final LagHistory history;
    private final AlertEvaluator evaluator;
    private final WebhookNotifier notifier;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parity-monitor");
        t.setDaemon(true);
        return t;
    });
    private String lastFailure;

    public Monitor(StatusService status, LagHistory history, AlertEvaluator evaluator, WebhookNotifier notifier, Clock clock) {
        this.status = status;
        this.history = history;
        this.evaluator = evaluator;
        this.notifier = notifier;
        this.clock = clock;
    }

    public void start() {
        timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void tick() {
        try {
            status.sampleProgress();
            Instant now = clock.instant();
            Status s = status.status();
            history.add(new LagHistory.Sample(now, s.replicationLagSeconds(), s.sides().source().captureLagSeconds(),
                    s.sides().target().captureLagSeconds()));
            for (Alert a : evaluator.evaluate(now, s, table -> status.divergences(table, DIVERGENCES_READ), table -> status.summaries(table).stream()
                    .flatMap(t -> t.groups().stream()).map(g -> g.sentence()).toList())) {
                notifier.send(a);
            }
            if (lastFailure != null) {
                LOG.info("monitor ticks again after: {}", lastFailure);
                lastFailure = null;
            }
        } catch (RuntimeException e) {
            String failure = String.valueOf(e.getMessage());
            if (!failure.equals(lastFailure)) {
                LOG.warn("monitor tick failed (status, lag history and alerts not updated): {}", failure, e);
            }
            lastFailure = failure;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        notifier.close();
    }
}
