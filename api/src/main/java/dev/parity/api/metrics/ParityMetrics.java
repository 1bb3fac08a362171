package dev.parity.api.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Every meter Parity exports, declared here (README, "Metrics"). Gauges read the latest status
 * snapshot, refreshed at most once per scrape, so a scrape costs one status computation.
 */
public final class ParityMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Map<String, Object>> latest = new AtomicReference<>(Map.of());

    public ParityMetrics(List<String> tables) {
        gauge("parity_replication_lag_seconds", Tags.empty(), s -> number(s.get("replicationLagSeconds")));
        for (String side : List.of("source", "target")) {
            gauge("parity_capture_lag_seconds", Tags.of("side", side), s -> number(side(s, side).get("captureLagSeconds")));
            gauge("parity_capture_events", Tags.of("side", side), s -> number(side(s, side).get("events")));
            gauge("parity_snapshot_rows_done", Tags.of("side", side), s -> snapshot(s, side, "rowsDone"));
            gauge("parity_snapshot_rows_estimated", Tags.of("side", side), s -> snapshot(s, side, "rowsEstimated"));
            gauge("parity_snapshot_eta_seconds", Tags.of("side", side), s -> snapshot(s, side, "etaSeconds"));
        }
        for (String state : List.of("PENDING", "DIVERGENT")) {
            String field = state.equals("PENDING") ? "pendingKeys" : "divergentKeys";
            gauge("parity_keys", Tags.of("state", state.toLowerCase()), s -> sum(s, field));
        }
        gauge("parity_chunks", Tags.of("state", "in_sync"), s -> sum(s, "chunksInSync"));
        gauge("parity_chunks", Tags.of("state", "pending"), s -> sum(s, "pendingChunks"));
        gauge("parity_chunks", Tags.of("state", "divergent"), s -> sum(s, "divergentChunks"));
        gauge("parity_in_sync", Tags.empty(), s -> "IN_SYNC".equals(s.get("state")) ? 1 : 0);
        gauge("parity_reread_rounds_completed", Tags.empty(), s -> number(verification(s).get("roundsCompleted")));
        for (String table : tables) {
            gauge("parity_rows", Tags.of("table", table, "side", "source"), s -> tableField(s, table, "sourceRows"));
            gauge("parity_rows", Tags.of("table", table, "side", "target"), s -> tableField(s, table, "targetRows"));
            for (String side : List.of("source", "target")) {
                gauge("parity_reread_rows", Tags.of("table", table, "side", side), s -> reread(s, table, side, "rowsRead"));
                gauge("parity_reread_differences", Tags.of("table", table, "side", side),
                        s -> reread(s, table, side, "differencesSent") + reread(s, table, side, "missingSent"));
            }
        }
    }

    private static double snapshot(Map<String, Object> s, String side, String field) {
        return side(s, side).get("snapshot") instanceof Map<?, ?> m ? number(m.get(field)) : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> verification(Map<String, Object> s) {
        return s.get("verification") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** A field of the latest re-read of one table on one side; NaN before the first. */
    @SuppressWarnings("unchecked")
    private static double reread(Map<String, Object> s, String table, String side, String field) {
        return verification(s).get("tables") instanceof List<?> l ? ((List<Map<String, Object>>) l).stream()
                .filter(t -> table.equals(t.get("table")) && side.equals(t.get("side"))).mapToDouble(t -> number(t.get(field)))
                .findFirst().orElse(Double.NaN) : Double.NaN;
    }

    /** Renders the Prometheus text format after refreshing the snapshot. */
    public String scrape(Map<String, Object> status) {
        latest.set(status);
        return registry.scrape();
    }

    private void gauge(String name, Tags tags, ToDoubleFunction<Map<String, Object>> f) {
        Gauge.builder(name, latest, ref -> f.applyAsDouble(ref.get())).tags(tags).register(registry);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> side(Map<String, Object> s, String side) {
        Object sides = s.get("sides");
        return sides instanceof Map<?, ?> m && m.get(side) instanceof Map<?, ?> x ? (Map<String, Object>) x : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tables(Map<String, Object> s) {
        return s.get("tables") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static double sum(Map<String, Object> s, String field) {
        return tables(s).stream().mapToDouble(t -> number(t.get(field))).filter(d -> !Double.isNaN(d)).sum();
    }

    private static double tableField(Map<String, Object> s, String table, String field) {
        return tables(s).stream().filter(t -> table.equals(t.get("table"))).mapToDouble(t -> number(t.get(field))).findFirst().orElse(Double.NaN);
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
