package dev.parity.api.app;

import dev.parity.api.alerts.AlertEvaluator;
import dev.parity.api.alerts.Monitor;
import dev.parity.api.alerts.WebhookNotifier;
import dev.parity.api.cluster.Forwarder;
import dev.parity.api.cluster.Lease;
import dev.parity.api.cluster.StoreEndpoint;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.http.ApiServer;
import dev.parity.api.metrics.ParityMetrics;
import dev.parity.api.readiness.ReadinessGate;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.api.runtime.StateDirGuard;
import dev.parity.api.status.LagHistory;
import dev.parity.api.status.StatusService;
import dev.parity.ingest.inspect.SchemaWatch;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.Sweeper;
import dev.parity.reconciler.model.Side;
import java.time.Clock;
import java.time.Duration;
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
    private final LagHistory history;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Null for a single instance. */
    private volatile Lease lease;
    private volatile StateDirGuard guard;
    private volatile Thread shutdownHook;
    private volatile int exitCode;

    // The work done once per application: started at once by a single instance, on taking the capture lease by one of several.
    private volatile Monitor monitor;
    private volatile Sweeper sweeper;
    private volatile SchemaWatch schema;

    private Parity(ParityRuntime runtime, ApiServer api, StatusService status, LagHistory history) {
        this.runtime = runtime;
        this.api = api;
        this.status = status;
        this.history = history;
    }

    /**
     * Starts Parity. A single instance starts everything; one of several (README, "Deployment": {@code api.advertise}
     * set) starts its reconciler and API, and the captures with the rest of the work done once only when it takes
     * the capture lease. Losing the lease stops the instance with exit code 3: its supervisor restarts it as a
     * follower, and no two instances ever capture the same side.
     */
    public static Parity start(ParityConfig config) throws Exception {
        StateDirGuard guard = new StateDirGuard(config.stateDir(), config.stateMinFreeMb());
        guard.requireUsable();
        ParityRuntime runtime = new ParityRuntime(config, Clock.systemUTC());
        Parity p = null;
        try {
            boolean several = config.api().advertise() != null;
            runtime.prepare();
            StatusService status = new StatusService(runtime, Clock.systemUTC());
            LagHistory history = new LagHistory(LAG_SAMPLES);
            StoreEndpoint stores = new StoreEndpoint(runtime.streams(), runtime.topics().topic(Side.SOURCE));
            Lease lease = null;
            Forwarder forwarder = null;
            if (several) {
                lease = new Lease(runtime.topics().kafka(), config.name(), config.api().advertised(), LEASE_SESSION);
                forwarder = new Forwarder(lease, config.api().advertised(), dev.parity.api.http.ApiTls.forApi(config.api()));
            }
            ReadinessGate gate = new ReadinessGate(runtime, status, Clock.systemUTC());
            ApiServer api = new ApiServer(config.api(), status, history,
                    new ParityMetrics(runtime.tables().stream().map(PlannedTable::mappedId).toList(), gate::last), gate, stores, forwarder,
                    config.alerts().lagThreshold());
            p = new Parity(runtime, api, status, history);
            p.lease = lease;
            p.guard = guard;
            api.start();
            if (several) {
                lease.start(p::lead, p::leaseLost);
            } else {
                p.lead();
            }
            p.shutdownHook = new Thread(p.stop::countDown, "parity-shutdown");
            Runtime.getRuntime().addShutdownHook(p.shutdownHook);
            SelfStops.reconciler(runtime, p::stopping, p::stopBecause);
            Parity started = p;
            guard.watch(problem -> started.stopBecause(5));
            return p;
        } catch (Exception | Error e) {
            if (p != null) {
                p.close();
            } else {
                runtime.close();
            }
            throw e;
        }
    }

    /** How long a dead instance keeps the capture lease before another takes it. */
    static final Duration LEASE_SESSION = Duration.ofSeconds(10);

    /** Starts the work done once per application: both captures, heartbeats, load, sweep, schema watch, alerts. */
    private void lead() {
        try {
            ParityConfig config = runtime.config();
            runtime.startCapture();
            Sweeper sw = new Sweeper(config.verify(), config.ingest().heartbeat(), runtime.verifiedTables(), runtime.databases(),
                    runtime.captures(), runtime.reconciler(), runtime.topics(), runtime.heartbeat(), runtime::baselineApplied, runtime::loadReads,
                    Clock.systemUTC());
            status.attach(sw);
            SchemaWatch sch = new SchemaWatch(config.ingest(), Clock.systemUTC()).comparingColumns(runtime.databases().oneSided(),
                    sw::columnsChanged);
            runtime.onSchemaChange(sch::poke);
            status.attach(sch);
            Monitor mon = new Monitor(status, history, new AlertEvaluator(config.name(), config.alerts().lagThreshold(), config.alerts().groupInterval()),
                    new WebhookNotifier(config.alerts().webhooks(), Duration.ofMillis(500)), Clock.systemUTC());
            sweeper = sw;
            schema = sch;
            monitor = mon;
            mon.start();
            sw.start();
            sch.start();
            if (lease == null && !config.capture().connect()) {
                SelfStops.tableSet(sch, runtime, this::stopping, this::stopBecause);
            }
        } catch (Exception e) {
            if (lease == null) {
                throw new IllegalStateException("starting the captures failed", e);
            }
            org.slf4j.LoggerFactory.getLogger(Parity.class).error("starting the captures after taking the capture lease failed; stopping", e);
            exitCode = 1;
            stop.countDown();
        }
    }

    /** {@link #exitCode()} of an instance that stopped to plan its tables again; {@link #supervise} starts it again at once. */
    public static final int REPLAN = 100;

    /**
     * Runs Parity until it stops for good (Ctrl-C, or by itself: see {@link #exitCode()}), starting it again, from its saved
     * state, each time it stops to plan its tables again; {@code onStart} is told of each start. Returns the exit code.
     */
    public static int supervise(ParityConfig config, java.util.function.Consumer<Parity> onStart) throws Exception {
        while (true) {
            try (Parity p = start(config)) {
                onStart.accept(p);
                p.awaitShutdown();
                if (p.exitCode() != REPLAN) {
                    return p.exitCode();
                }
                System.out.println("Parity planning its tables again: the set of watched tables changed (see the log)");
            }
        }
    }

    /** True once this instance has been asked to stop, or stopped by itself. */
    public boolean stopping() {
        return stop.getCount() == 0;
    }

    private void leaseLost() {
        stopBecause(3);
    }

    private void stopBecause(int code) {
        exitCode = code;
        stop.countDown();
    }

    /**
     * 0, or why the instance stopped by itself: 3 when it lost the capture lease, 1 when it could not start the captures after
     * taking it, 4 when the reconciler stopped after repeated failures, 5 when {@code state.dir} could no longer be
     * written or ran short of space (see StateDirGuard).
     */
    public int exitCode() {
        return exitCode;
    }

    public String url() {
        return runtime.config().api().scheme() + "://" + runtime.config().api().bind() + ":" + api.port() + "/";
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
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook); // one per start: a process may start Parity again
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        if (guard != null) {
            guard.close();
        }
        if (lease != null) {
            lease.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {monitor, sweeper, schema}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(Parity.class).warn("error while stopping", e);
                }
            }
        }
        api.close();
        runtime.close();
    }
}
