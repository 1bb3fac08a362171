package dev.parity.api.cli;

import dev.parity.api.config.ParityConfig;
import dev.parity.api.http.ApiServer;
import dev.parity.api.metrics.ParityMetrics;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.runtime.PlannedTable;
import dev.parity.api.runtime.StatusService;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** A started runtime plus its HTTP API: what {@code run} and {@code demo} keep alive. */
public final class Parity implements AutoCloseable {
    private final ParityRuntime runtime;
    private final ApiServer api;
    private final StatusService status;
    private final CountDownLatch stop = new CountDownLatch(1);

    private Parity(ParityRuntime runtime, ApiServer api, StatusService status) {
        this.runtime = runtime;
        this.api = api;
        this.status = status;
    }

    public static Parity start(ParityConfig config) throws Exception {
        ParityRuntime runtime = new ParityRuntime(config, Clock.systemUTC());
        try {
            runtime.start();
            StatusService status = new StatusService(runtime, Clock.systemUTC());
            ApiServer api = new ApiServer(config.api().bind(), config.api().port(), status,
                    new ParityMetrics(runtime.tables().stream().map(PlannedTable::mappedId).toList()));
            api.start();
            Parity p = new Parity(runtime, api, status);
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

    public ParityRuntime runtime() {
        return runtime;
    }

    public void awaitShutdown() throws InterruptedException {
        stop.await();
    }

    @Override
    public void close() {
        api.close();
        runtime.close();
    }
}
