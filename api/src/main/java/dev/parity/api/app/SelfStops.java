package dev.parity.api.app;

import dev.parity.api.runtime.ParityRuntime;
import dev.parity.ingest.inspect.SchemaWatch;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a running Parity stop by itself rather than serve a view it can no longer keep (README, "When things
 * fail"), each watched by a daemon thread that ends with the instance; {@code stop} gets the exit code
 * ({@link Parity#exitCode()}). The state directory has its own guard (StateDirGuard).
 */
final class SelfStops {
    private static final Logger LOG = LoggerFactory.getLogger(Parity.class);

    private SelfStops() {
    }

    /**
     * The reconciler stops for good only after repeated failures (see ReconcilerStreams): then this process can no
     * longer reach a verdict, and it exits 4 saying so, rather than serve STALE for ever.
     */
    static void reconciler(ParityRuntime runtime, BooleanSupplier stopping, IntConsumer stop) {
        daemon("parity-reconciler-watch", () -> {
            while (!stopping.getAsBoolean()) {
                var streams = runtime.streams();
                var state = streams == null ? null : streams.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
                    LOG.error("the reconciler stopped after repeated failures (see parity.log); exiting so that a fresh process can take over");
                    stop.accept(4);
                    return;
                }
                Thread.sleep(1_000);
            }
        });
    }

    /**
     * The set of tables is planned at start. When the filter names a table on both sides that is not watched (created,
     * or renamed, since), or a watched table is gone from both sides, two looks of the schema watch in a row, the
     * instance stops to plan again ({@link Parity#REPLAN}): {@link Parity#supervise} starts it at once from its saved
     * state, which loads the new tables and clears the gone ones. Not for several instances or Connect captures, whose
     * captures are planned elsewhere: there the change is reported and the gate fails until a restart.
     */
    static void tableSet(SchemaWatch watch, ParityRuntime runtime, BooleanSupplier stopping, IntConsumer stop) {
        daemon("parity-table-set-watch", () -> {
            List<String> last = List.of();
            while (!stopping.getAsBoolean()) {
                Thread.sleep(SchemaWatch.POLL_SECONDS * 1000);
                var report = watch.latest();
                List<String> changes = report == null ? List.of() : report.planChanges(runtime.tables());
                if (!changes.isEmpty() && changes.equals(last)) {
                    LOG.warn("the watched tables changed since Parity planned them: {}; planning them again (Parity restarts from its"
                            + " saved state; the API is away for a few seconds)", String.join(", ", changes));
                    stop.accept(Parity.REPLAN);
                    return;
                }
                last = changes;
            }
        });
    }

    private interface Watch {
        void run() throws InterruptedException;
    }

    private static void daemon(String name, Watch watch) {
        Thread t = new Thread(() -> {
            try {
                watch.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }
}
