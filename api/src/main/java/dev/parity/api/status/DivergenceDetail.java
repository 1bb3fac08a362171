package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.drill.DrillDown;
import dev.parity.ingest.engine.SettingDrift;
import dev.parity.ingest.schema.SchemaDifference;
import dev.parity.reconciler.canonical.CanonicalValue;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.rules.ColumnDiff;
import dev.parity.reconciler.rules.DivergenceGroups;
import dev.parity.reconciler.rules.Origin;
import dev.parity.reconciler.state.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the drill-down found, as the API shows it (README, "Which column, and why"): per key its
 * differing columns, the row's cause and its origin; per table the groups, each with the evidence
 * Parity already holds that explains it. Row values appear only for a caller with the API token, and
 * then as {@code drilldown.values} says.
 */
public final class DivergenceDetail {
    private DivergenceDetail() {
    }

    /** How values are shown to this caller: not at all without the token, else as configured. */
    public enum Values {
        NONE, SHOW, HASH;

        static Values of(boolean withToken, ParityConfig.Drilldown config) {
            if (!withToken || config == null || "hide".equals(config.values())) {
                return NONE;
            }
            return "hash".equals(config.values()) ? HASH : SHOW;
        }
    }

    /** One differing column; {@code source}/{@code target} absent when values are not shown. */
    public record ColumnStatus(String name, @JsonInclude(Include.NON_NULL) Object source, @JsonInclude(Include.NON_NULL) Object target,
                        String cause, @JsonInclude(Include.NON_NULL) String detail) {
    }

    /** One group of {@code GET /api/v1/divergences/summary}. */
    public record GroupStatus(String table, List<String> columns, String cause, @JsonInclude(Include.NON_NULL) String detail, long keys,
                       List<Map<String, Object>> sampleKeys, Map<String, Long> origins, List<String> evidence, String sentence) {
    }

    /** The summary of one table: groups of the keys read so far, and how many DIVERGENT keys are not read yet. */
    public record Summary(String table, List<GroupStatus> groups, long divergentKeys, long notReadYet, @JsonInclude(Include.NON_NULL) String problem) {
    }

    static List<ColumnStatus> columns(List<ColumnDiff.Finding> findings, Values values) {
        return findings.stream().map(f -> new ColumnStatus(f.column(), value(f.source(), values), value(f.target(), values), f.cause().name(),
                f.detail())).toList();
    }

    /**
     * A divergence's key as shown. A keyed row's key columns always; a row of a table without key is
     * identified by its whole content, which is row values: shown only as {@link #value} shows values
     * (with the API token), else as {@code rowHash}, the XXH3-128 of its canonical form.
     */
    public static Map<String, Object> shownKey(dev.parity.reconciler.query.DivergenceView d, Values values) {
        if (d.rowKey() == null || !dev.parity.reconciler.canonical.CanonicalReader.isContentKey(d.rowKey())) {
            return d.key();
        }
        if (values == Values.NONE) {
            return Map.of("rowHash", dev.parity.reconciler.model.RowHashing.hash128(d.rowKey(), 0, d.rowKey().length).toHex());
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        dev.parity.reconciler.canonical.CanonicalReader.rowValues(d.rowKey()).forEach((column, v) -> out.put(column, value(v, values)));
        return out;
    }

    /** A value as shown: cut at {@link ParityConfig.Drilldown#CUT} characters with its length and hash, or only a hash. */
    static Object value(CanonicalValue v, Values values) {
        if (values == Values.NONE || v == null || v.isNull()) {
            return null;
        }
        Object shown = v.display();
        if (values == Values.HASH) {
            return "xxh3:" + hash(String.valueOf(shown));
        }
        if (shown instanceof String s && s.length() > ParityConfig.Drilldown.CUT) {
            return s.substring(0, ParityConfig.Drilldown.CUT) + "… (" + s.length() + " chars, xxh3:" + hash(s) + ")";
        }
        return shown;
    }

    private static String hash(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Hash128 h = RowHashing.hash128(b, 0, b.length);
        return h.toString();
    }


    /**
     * The groups of one table's DIVERGENT keys among the first {@code scan} mismatched ones, each with
     * its evidence: the setting drift, schema difference or unlogged write that would explain it.
     */
    /** @param byHeartbeats verdicts by heartbeat order: the stamps say where a divergence came from (not with a grace period) */
    static Summary summary(String table, List<DivergenceView> mismatched, DrillDown drill, List<SettingDrift> settings,
                           List<SchemaDifference> schema, boolean byHeartbeats) {
        List<DivergenceGroups.Member> members = new ArrayList<>();
        long divergent = 0;
        long unread = 0;
        for (DivergenceView d : mismatched) {
            if (d.state() != Verdict.DIVERGENT) {
                continue;
            }
            divergent++;
            DrillDown.Result r = drill == null ? null : drill.result(d);
            if (d.kind() == DivergenceView.Kind.MISMATCH && (r == null || r.problem() != null)) {
                unread++; // its rows are not read yet (or it changed since its verdict): no group to put it in
                continue;
            }
            members.add(new DivergenceGroups.Member(d.key(), d.kind().name(), r == null ? List.of() : r.findings(),
                    byHeartbeats || d.origin() == Origin.UNLOGGED_WRITE || d.origin() == Origin.BEFORE_START ? d.origin() : null));
        }
        List<GroupStatus> out = new ArrayList<>();
        for (DivergenceGroups.Group g : DivergenceGroups.group(table, members)) {
            Map<String, Long> origins = new LinkedHashMap<>();
            g.origins().forEach((o, n) -> origins.put(o.name(), n));
            out.add(new GroupStatus(table, g.columns(), g.cause(), g.detail(), g.keys(), g.sampleKeys(), origins,
                    evidence(table, g, settings, schema), g.sentence()));
        }
        return new Summary(table, out, divergent, unread, drill == null ? "drilldown.enabled is false" : drill.problem());
    }

    static List<String> evidence(String table, DivergenceGroups.Group g, List<SettingDrift> settings, List<SchemaDifference> schema) {
        List<String> out = new ArrayList<>();
        switch (g.cause()) {
            case "TIME_SHIFT" -> setting(out, settings, "time zone", "likely a time-zone mismatch");
            case "TRUNCATED", "ROUNDED" -> {
                columns(out, table, g.columns(), schema);
                setting(out, settings, "strict mode", "the target adjusts values silently");
            }
            case "ENCODING" -> setting(out, settings, "character set", "likely a character-set mismatch");
            case "CASE", "PADDING" -> {
                setting(out, settings, "collation_server", "collations compare letter case and trailing spaces differently");
                setting(out, settings, "lc_collate", "collations compare letter case and trailing spaces differently");
                columns(out, table, g.columns(), schema);
            }
            case "MISSING_ON_TARGET", "EXTRA_ON_TARGET" -> {
            }
            default -> columns(out, table, g.columns(), schema);
        }
        if (g.origins().containsKey(Origin.UNLOGGED_WRITE)) {
            out.add(g.origins().get(Origin.UNLOGGED_WRITE) + " found by re-reading: the writes bypassed the log (sql_log_bin = 0, an ALTER TABLE rewrite, a TRUNCATE)");
        }
        return out;
    }

    private static void setting(List<String> out, List<SettingDrift> settings, String name, String meaning) {
        for (SettingDrift d : settings) {
            if (d.setting().equalsIgnoreCase(name)) {
                out.add("source " + d.setting() + " " + d.source() + ", target " + d.target() + ": " + meaning);
            }
        }
    }

    private static void columns(List<String> out, String table, List<String> columns, List<SchemaDifference> schema) {
        for (SchemaDifference d : schema) {
            if (!d.table().equalsIgnoreCase(table) || !"column".equals(d.aspect())) {
                continue;
            }
            for (String c : columns) {
                String prefix = c.toLowerCase(Locale.ROOT) + " ";
                if ((d.source() != null && d.source().toLowerCase(Locale.ROOT).startsWith(prefix))
                        || (d.target() != null && d.target().toLowerCase(Locale.ROOT).startsWith(prefix))) {
                    out.add("schema: source " + d.source() + ", target " + d.target() + (d.risk() == null ? "" : ": " + d.risk()));
                }
            }
        }
    }
}
