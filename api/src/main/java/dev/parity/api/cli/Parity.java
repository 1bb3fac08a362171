package dev.parity.api.cli;

import dev.parity.api.config.ParityConfig;
import dev.parity.api.http.ApiServer;
import dev.parity.api.metrics.ParityMetrics;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.runtime.PlannedTable;
import dev.parity.api.runtime.SchemaWatch;
import dev.parity.api.runtime.StatusService;
import dev.parity.api.alerts.AlertEvaluator;
import dev.parity.api.alerts.WebhookNotifier;
import dev.parity.api.runtime.LagHistory;
import dev.parity.api.runtime.Monitor;
import java.time.Duration;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** A started runtime plus its HTTP API: what {@code run} and {@code demo} keep alive. */
public final class Parity implements AutoCloseable {
    /** One lag sample a second: an hour of history. */
    static final int LAG_SAMPLES = 3600;

    private final ParityRuntime runtime;
    private final ApiServer api;
    private final StatusService status;
    private final CountDownLatch stop = new CountDownLatch(1);

    private final Monitor monitor;

    private final dev.parity.api.runtime.Sweeper sweeper;

    private final SchemaWatch schema;

    private Parity(ParityRuntime runtime, ApiServer api, StatusService status, Monitor monitor, dev.parity.api.runtime.Sweeper sweeper,
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
            dev.parity.api.runtime.Sweeper sweeper = new dev.parity.api.runtime.Sweeper(runtime, status.view(), Clock.systemUTC());
            status.attach(sweeper);
            SchemaWatch schema = new SchemaWatch(config, Clock.systemUTC());
            runtime.onSchemaChange(schema::poke);
            status.attach(schema);
            LagHistory history = new LagHistory(LAG_SAMPLES);
            Monitor monitor = new Monitor(status, history,
                    new AlertEvaluator(config.name(), config.alerts().lagThreshold(), config.alerts().groupInterval()),
                    new WebhookNotifier(config.alerts().webhooks(), Duration.ofMillis(500)), Clock.systemUTC());
            ApiServer api = new ApiServer(config.api().bind(), config.api().port(), config.api().token(), status, history,
                    new ParityMetrics(runtime.tables().stream().map(PlannedTable::mappedId).toList()),
                    new dev.parity.api.readiness.ReadinessGate(runtime, status, Clock.systemUTC()), sweeper);
            api.start();
            if (runtime.initialLoad() != null) {
                runtime.initialLoad().start(status.view());
            }
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
    public dev.parity.api.runtime.Sweeper sweeper() {
        return sweeper;
    }

    public ParityRuntime runtime() {
        return runtime;
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
