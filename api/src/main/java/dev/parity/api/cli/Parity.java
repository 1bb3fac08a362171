package dev.parity.api.cli;

import dev.parity.api.alerts.AlertEvaluator;
import dev.parity.api.alerts.Monitor;
import dev.parity.api.alerts.WebhookNotifier;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.http.ApiServer;
import dev.parity.api.metrics.ParityMetrics;
import dev.parity.api.readiness.ReadinessGate;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.status.LagHistory;
import dev.parity.api.status.StatusService;
import dev.parity.ingest.inspect.SchemaWatch;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.Sweeper;
import java.time.Duration;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * The application: a started runtime plus what runs on it (the verification sweep, the live schema
 * comparison, the monitor with its alerts) and its HTTP API; what {@code run} and {@code demo} keep alive.
 */
public final class Parity implements AutoCloseable {
    /** One lag sample a second: an hour of history. */
    static final int LAG_SAMPLES = 3600;

    private final ParityRuntime runtime;
    private final ApiServer api;
    private final StatusService status;
    private final CountDownLatch stop = new CountDownLatch(1);

    private final Monitor monitor;

    private final Sweeper sweeper;

    private final SchemaWatch schema;

    private Parity(ParityRuntime runtime, ApiServer api, StatusService status, Monitor monitor, Sweeper sweeper,
                   SchemaWatch schema) {
        this.runtime = runtime;
        this.schema = schema;
        this.sweeper = sweeper;
        this.api = api;
        this.status = status;
        this.monitor = monitor;
    }

    public static Parity start(ParityConfig config) throws Exception {
        ParityRuntime runtime = new ParityRuntime(config, Clock.systemUTC());
        try {
            runtime.start();
            StatusService status = new StatusService(runtime, Clock.systemUTC());
            Sweeper sweeper = new Sweeper(config.verify(), config.ingest().heartbeat(), runtime.verifiedTables(), runtime.databases(),
                    runtime.captures(), runtime.reconciler(), runtime.topics(), runtime.heartbeat(), runtime::baselineApplied, runtime::loadReads, Clock.systemUTC());
            status.attach(sweeper);
            SchemaWatch schema = new SchemaWatch(config.ingest(), Clock.systemUTC());
            runtime.onSchemaChange(schema::poke);
            status.attach(schema);
            LagHistory history = new LagHistory(LAG_SAMPLES);
            Monitor monitor = new Monitor(status, history,
                    new AlertEvaluator(config.name(), config.alerts().lagThreshold(), config.alerts().groupInterval()),
                    new WebhookNotifier(config.alerts().webhooks(), Duration.ofMillis(500)), Clock.systemUTC());
            ApiServer api = new ApiServer(config.api().bind(), config.api().port(), config.api().token(), status, history,
                    new ParityMetrics(runtime.tables().stream().map(PlannedTable::mappedId).toList()),
                    new ReadinessGate(runtime, status, Clock.systemUTC()), sweeper);
            api.start();
            monitor.start();
            sweeper.start();
            schema.start();
            Parity p = new Parity(runtime, api, status, monitor, sweeper, schema);
            Runtime.getRuntime().addShutdownHook(new Thread(p.stop::countDown, "parity-shutdown"));
            return p;
        } catch (Exception | Error e) {
            runtime.close();
            throw e;
        }
    }

    public String url() {
        return "http://" + runtime.config().api().bind() + ":" + api.port() + "/";
    }

    public int port() {
        return api.port();
    }

    public StatusService status() {
        return status;
    }

    /** The verification sweep (re-reads of the tables). */
    public Sweeper sweeper() {
        return sweeper;
    }

    public ParityRuntime runtime() {
        return runtime;
    }

    /**
     * Polls the status until its state is one of {@code states}; returns that state. Throws with the
     * status's reasons when {@code limit} passes first (the benches' wait for a verdict).
     */
    public String awaitState(java.time.Duration limit, java.util.Set<String> states) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            String state = status.status().state();
            if (states.contains(state)) {
                return state;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no state of " + states + " within " + limit.toSeconds() + " s: " + status.status().reasons());
    }

    public void awaitShutdown() throws InterruptedException {
        stop.await();
    }

    @Override
    public void close() {
        monitor.close();
        sweeper.close();
        schema.close();
        api.close();
        runtime.close();
    }
}
