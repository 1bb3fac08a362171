package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/status} (README, "CLI and HTTP API"): computed by {@link StatusService}, read by
 * fields everywhere (alerts, metrics, the CLI), serialised by Jackson. Fields may be added,
 * never renamed: external scripts read them. Times are ISO-8601 UTC; a null number means unknown.
 *
 * @param state          one of {@code STALE, SNAPSHOTTING, DIVERGENT, PENDING, UNVERIFIED, IN_SYNC}
 * @param verdicts       how verdicts are reached, in words
 * @param baseline       who read the first baseline, in words
 * @param verification   the verification sweep; absent before it is attached
 * @param schema         live structure comparison; absent before it is attached
 * @param reasons        why the state is not IN_SYNC (empty when it is)
 */
public record Status(String state, Double replicationLagSeconds, String verdicts, String baseline, long pendingKeys, Long reconcilerBacklog,
                     Double oldestPendingSeconds, Sides sides, List<TableStatus> tables, Map<String, ServerSettings> settings,
                     List<SettingDriftStatus> settingDrift, @JsonInclude(Include.NON_NULL) SweepStatus verification,
                     @JsonInclude(Include.NON_NULL) SchemaStatus schema, List<String> reasons) {
    public Status {
        tables = List.copyOf(tables);
        settings = Map.copyOf(settings);
        settingDrift = List.copyOf(settingDrift);
        reasons = List.copyOf(reasons);
    }

    public record Sides(SideStatus source, SideStatus target) {
    }

    /** One side's server settings as read at start. */
    public record ServerSettings(String engine, Map<String, String> values) {
    }

    /** A setting that differs between the sides in meaning; {@code dataRisk}: it changes stored data. */
    public record SettingDriftStatus(String setting, String source, String target, boolean dataRisk, String risk) {
    }

    /** A table by its mapped id; null when not watched. */
    public TableStatus table(String mappedId) {
        return tables.stream().filter(t -> t.table().equals(mappedId)).findFirst().orElse(null);
    }
}
