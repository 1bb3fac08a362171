package dev.parity.api.metrics;

import dev.parity.api.status.SideStatus;
import dev.parity.api.status.SnapshotStatus;
import dev.parity.api.status.Status;
import dev.parity.api.status.SweepStatus;
import dev.parity.api.status.TableStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Every meter Parity exports, declared here (README, "Metrics"). Gauges read the latest status, set
 * once per scrape, so a scrape costs at most one status computation. NaN where a value is unknown.
 */
public final class ParityMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The gate's latest answer (kept by the gate; null before the first), for {@code parity_readiness_*}. */
    private final java.util.function.Supplier<dev.parity.reconciler.rules.ReadinessReport> lastReport;
    private final AtomicReference<Status> latest = new AtomicReference<>();

    public ParityMetrics(List<String> tables, java.util.function.Supplier<dev.parity.reconciler.rules.ReadinessReport> lastReport) {
        this.lastReport = lastReport;
        gauge("parity_replication_lag_seconds", Tags.empty(), s -> number(s.replicationLagSeconds()));
        for (String side : List.of("source", "target")) {
            Function<Status, SideStatus> of = s -> side.equals("source") ? s.sides().source() : s.sides().target();
            gauge("parity_capture_lag_seconds", Tags.of("side", side), s -> number(of.apply(s).captureLagSeconds()));
            gauge("parity_capture_events", Tags.of("side", side), s -> of.apply(s).events());
            gauge("parity_snapshot_rows_done", Tags.of("side", side), s -> snapshot(of.apply(s), SnapshotStatus::rowsDone));
            gauge("parity_snapshot_rows_estimated", Tags.of("side", side), s -> snapshot(of.apply(s), SnapshotStatus::rowsEstimated));
            gauge("parity_snapshot_eta_seconds", Tags.of("side", side), s -> snapshot(of.apply(s), SnapshotStatus::etaSeconds));
        }
        gauge("parity_keys", Tags.of("state", "pending"), s -> sum(s, TableStatus::pendingKeys));
        gauge("parity_keys", Tags.of("state", "divergent"), s -> sum(s, TableStatus::divergentKeys));
        gauge("parity_chunks", Tags.of("state", "in_sync"), s -> sum(s, TableStatus::chunksInSync));
        gauge("parity_chunks", Tags.of("state", "pending"), s -> sum(s, TableStatus::pendingChunks));
        gauge("parity_chunks", Tags.of("state", "divergent"), s -> sum(s, TableStatus::divergentChunks));
        gauge("parity_in_sync", Tags.empty(), s -> "IN_SYNC".equals(s.state()) ? 1 : 0);
        gauge("parity_stale", Tags.empty(), s -> "STALE".equals(s.state()) ? 1 : 0);
        gauge("parity_reread_max_age_seconds", Tags.empty(), s -> s.verification() == null ? Double.NaN : number(s.verification().maxAgeSeconds()));
        gauge("parity_reread_oldest_age_seconds", Tags.empty(), s -> s.verification() == null || s.verification().lastFullReads() == null
                ? Double.NaN : s.verification().lastFullReads().stream().mapToDouble(SweepStatus.FullRead::ageSeconds).max().orElse(Double.NaN));
        Gauge.builder("parity_readiness_ready", lastReport, r -> r.get() == null ? Double.NaN : r.get().ready() ? 1 : 0).register(registry);
        Gauge.builder("parity_readiness_timestamp_seconds", lastReport, r -> r.get() == null ? Double.NaN
                : java.time.Instant.parse(r.get().at()).toEpochMilli() / 1000.0).register(registry);
        gauge("parity_reread_rounds_completed", Tags.empty(), s -> s.verification() == null ? Double.NaN : number(s.verification().roundsCompleted()));
        for (String table : tables) {
            gauge("parity_rows", Tags.of("table", table, "side", "source"), s -> tableField(s, table, TableStatus::sourceRows));
            gauge("parity_rows", Tags.of("table", table, "side", "target"), s -> tableField(s, table, TableStatus::targetRows));
            for (String side : List.of("source", "target")) {
                gauge("parity_reread_rows", Tags.of("table", table, "side", side), s -> reread(s, table, side, r -> (double) r.rowsRead()));
                gauge("parity_reread_differences", Tags.of("table", table, "side", side),
                        s -> reread(s, table, side, r -> (double) (r.differencesSent() + r.missingSent())));
            }
        }
    }

    /** Renders the Prometheus text format for this status. */
    public String scrape(Status status) {
        latest.set(status);
        return registry.scrape();
    }

    private void gauge(String name, Tags tags, ToDoubleFunction<Status> f) {
        Gauge.builder(name, latest, ref -> ref.get() == null ? Double.NaN : f.applyAsDouble(ref.get())).tags(tags).register(registry);
    }

    private static double snapshot(SideStatus side, Function<SnapshotStatus, Number> field) {
        return side.snapshot() == null ? Double.NaN : number(field.apply(side.snapshot()));
    }

    /** A field of the latest re-read of one table on one side; NaN before the first. */
    private static double reread(Status s, String table, String side, ToDoubleFunction<SweepStatus.Table> field) {
        SweepStatus v = s.verification();
        return v == null || v.tables() == null ? Double.NaN : v.tables().stream().filter(t -> table.equals(t.table()) && side.equals(t.side()))
                .mapToDouble(field).findFirst().orElse(Double.NaN);
    }

    private static double sum(Status s, Function<TableStatus, Number> field) {
        return s.tables().stream().mapToDouble(t -> number(field.apply(t))).filter(d -> !Double.isNaN(d)).sum();
    }

    private static double tableField(Status s, String table, Function<TableStatus, Number> field) {
        TableStatus t = s.table(table);
        return t == null ? Double.NaN : number(field.apply(t));
    }

    private static double number(Number n) {
        return n == null ? Double.NaN : n.doubleValue();
    }
}
