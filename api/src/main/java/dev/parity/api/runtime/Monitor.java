package dev.parity.api.runtime;

import dev.parity.api.alerts.Alert;
import dev.parity.api.alerts.AlertEvaluator;
import dev.parity.api.alerts.WebhookNotifier;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Once a second: samples lag into the history and turns status changes into alerts. */
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

    @SuppressWarnings("unchecked")
    void tick() {
        try {
            status.sampleProgress();
            Instant now = clock.instant();
            Map<String, Object> s = status.status();
            Map<String, Object> sides = (Map<String, Object>) s.get("sides");
            history.add(new LagHistory.Sample(now, number(s.get("replicationLagSeconds")),
                    number(((Map<String, Object>) sides.get("source")).get("captureLagSeconds")),
                    number(((Map<String, Object>) sides.get("target")).get("captureLagSeconds"))));
            for (Alert a : evaluator.evaluate(now, s, table -> status.divergences(table, DIVERGENCES_READ))) {
                notifier.send(a);
            }
        } catch (RuntimeException e) {
            LOG.debug("monitor tick skipped: {}", e.getMessage());
        }
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        notifier.close();
    }
}
