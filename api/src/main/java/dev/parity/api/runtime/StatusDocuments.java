package dev.parity.api.runtime;

import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.query.TableSummary;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes of the API (DESIGN.md, "Interfaces"): fields may be added, never renamed. */
final class StatusDocuments {
    private StatusDocuments() {
    }

    /** One watched table; {@code s} null when the reconciler cannot be asked. */
    static Map<String, Object> table(PlannedTable t, TableSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", t.mappedId());
        m.put("sourceTable", t.sourceName());
        m.put("targetTable", t.targetName());
        m.put("key", t.key());
        m.put("verified", t.captured());
        if (!t.captured()) {
            m.put("state", "UNVERIFIED");
            m.put("reason", t.problem());
            return m;
        }
        if (s == null) {
            m.put("state", "UNKNOWN");
            return m;
        }
        m.put("state", s.verdict().name());
        m.put("sourceRows", s.source().count());
        m.put("targetRows", s.target().count());
        m.put("sourceDigest", s.source().sum().toHex());
        m.put("targetDigest", s.target().sum().toHex());
        m.put("chunks", s.chunks());
        m.put("chunksInSync", s.chunksInSync());
        m.put("pendingChunks", s.pendingChunks());
        m.put("divergentChunks", s.divergentChunks());
        m.put("pendingKeys", s.pendingKeys());
        m.put("divergentKeys", s.divergentKeys());
        m.put("transientMismatches", s.transientMismatches());
        return m;
    }

    /** One mismatched key. */
    static Map<String, Object> divergence(DivergenceView d, long nowMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", d.table());
        m.put("chunk", d.chunk());
        m.put("key", d.key());
        m.put("state", d.state().name());
        m.put("kind", d.kind().name());
        m.put("firstSeen", Instant.ofEpochMilli(d.firstSeenMillis()).toString());
        m.put("ageSeconds", StatusService.seconds((nowMillis - d.firstSeenMillis()) * 1000));
        m.put("sourcePosition", d.sourcePosition());
        m.put("targetPosition", d.targetPosition());
        String reread = reread(d.sourcePosition()) ? "source" : reread(d.targetPosition()) ? "target" : null;
        boolean loaded = !reread(d.sourcePosition()) && !reread(d.targetPosition()) && (loaded(d.sourcePosition()) || loaded(d.targetPosition()));
        m.put("detectedBy", reread != null ? "REREAD" : loaded ? "INITIAL_LOAD" : "CHANGE_STREAM");
        if (loaded) {
            m.put("likelyCause", "the sides already differed when Parity read its baseline: drift from before Parity started watching");
        }
        if (reread != null) {
            m.put("likelyCause", "the " + reread + "'s row differs from every change its log recorded: a write made with logging off"
                    + " (MySQL/MariaDB SET sql_log_bin = 0), rows an ALTER TABLE rewrote in place, or a TRUNCATE");
        }
        return m;
    }

    private static boolean loaded(String position) {
        return position != null && position.startsWith(dev.parity.reconciler.model.Baseline.POSITION_PREFIX);
    }

    private static boolean reread(String position) {
        return position != null && position.startsWith(dev.parity.reconciler.model.Observation.POSITION_PREFIX);
    }
}
