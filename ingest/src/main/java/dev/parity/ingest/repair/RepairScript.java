package dev.parity.ingest.repair;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.canonical.CanonicalValue;
import dev.parity.reconciler.model.Side;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * SQL that makes the given rows of the target equal to the source (README, "Repair"): both sides read
 * by key now, in one snapshot each (the source's at a heartbeat, named in the header); a row only the
 * source has is INSERTed, one only the target has is DELETEd, one that differs gets an UPDATE of exactly
 * its differing columns. Parity never runs it.
 *
 * <p>Replication goes on while the user reviews the script, so every statement is guarded by the target
 * row it was computed from: an UPDATE or DELETE matches only while the target still holds the values
 * read (every column whose equality SQL states exactly), an INSERT only while the key is absent. A row
 * changed since is left alone (its newer value came from the source or from a write Parity judges
 * again) instead of being put back to an older one, and the script's last query says how many
 * statements changed nothing and for which keys.
 *
 * <p>{@link Via#SOURCE} writes statements for the source instead, so the fix travels through
 * replication in order (same engine only, as {@code pt-table-sync --sync-to-master} does). On
 * MySQL/MariaDB a row event is logged only for a value that changed, so the session logs statements
 * ({@code binlog_format = STATEMENT}): each reads the source's current values under a lock into user
 * variables, writes them back (no change on the source), and the replica applies the same statement
 * with the same values. PostgreSQL's logical replication sends rows, not statements: an UPDATE that sets
 * a row's differing columns to themselves sends the whole current row; a row only one side has cannot
 * travel without changing the source, so those keys are listed for a target script.
 */
public final class RepairScript {
    private RepairScript() {
    }

    /** Where the script runs: the target (the default), or the source, whose replication carries it to the target. */
    public enum Via {
        TARGET, SOURCE;

        /** {@code target} or {@code source}, as the command line and the API spell it. */
        public static Via parse(String s) {
            return switch (s == null ? "target" : s.toLowerCase(Locale.ROOT)) {
                case "target" -> TARGET;
                case "source" -> SOURCE;
                default -> throw new IllegalArgumentException("via: " + s + ": must be target or source");
            };
        }
    }

    /** What was written: the script and how many statements of each kind. */
    public record Result(String sql, int inserts, int updates, int deletes, int alreadyEqual) {
    }

    /**
     * A script for the target ({@link Via#TARGET}).
     *
     * @param header extra comment lines for the header (for instance the table's schema differences)
     */
    public static Result build(Databases dbs, PlannedTable t, List<Map<String, Object>> keys, List<String> header, Instant now) throws SQLException {
        return build(dbs, t, keys, header, now, Via.TARGET);
    }

    /**
     * @param header extra comment lines for the header (for instance the table's schema differences)
     * @throws IllegalArgumentException {@link Via#SOURCE} where replication cannot carry it (engines differ, a table without key)
     */
    public static Result build(Databases dbs, PlannedTable t, List<Map<String, Object>> keys, List<String> header, Instant now, Via via)
            throws SQLException {
        Engine engine = dbs.target().engine();
        if (via == Via.SOURCE && (dbs.source().engine().isBinlog() != engine.isBinlog())) {
            throw new IllegalArgumentException("via: source: the source (" + dbs.source().engine().name().toLowerCase(Locale.ROOT) + ") and the target ("
                    + engine.name().toLowerCase(Locale.ROOT) + ") differ: only native replication of one engine carries the source's statements;"
                    + " run the target script");
        }
        Map<Side, TableScan.Page> pages = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            pages.put(side, dbs.of(side).readKeys(t, keys));
        }
        TableSchema targetSchema = dbs.target().schemas(List.of(t)).get(t.targetName());
        if (via == Via.SOURCE && targetSchema.primaryKey().isEmpty() && targetSchema.uniqueKeys().isEmpty()) {
            throw new IllegalArgumentException("via: source: " + t.mappedId() + " has no key: a replica finds a changed row of a table without key"
                    + " by all its values, which differ; run the target script");
        }
        Map<String, ColumnInfo> targetColumns = new HashMap<>();
        targetSchema.columns().forEach(c -> targetColumns.put(c.name(), c));
        Map<ByteBuffer, TableScan.Row> source = pages.get(Side.SOURCE).byKey();
        Map<ByteBuffer, TableScan.Row> target = pages.get(Side.TARGET).byKey();
        List<ByteBuffer> all = new ArrayList<>(source.keySet());
        target.keySet().stream().filter(k -> !source.containsKey(k)).forEach(all::add);
        RepairStatements out = new RepairStatements(engine, via, RepairStatements.quoteQualified(engine, via == Via.SOURCE ? t.sourceName() : t.targetName()), targetColumns);
        for (ByteBuffer k : all) {
            TableScan.Row s = source.get(k);
            TableScan.Row r = target.get(k);
            Map<String, Object> key = CanonicalReader.keyColumns(k.array());
            Map<String, CanonicalValue> sv = s == null ? null : CanonicalReader.rowValues(s.canonical());
            Map<String, CanonicalValue> tv = r == null ? null : CanonicalReader.rowValues(r.canonical());
            if (s == null) {
                out.delete(key, tv);
            } else if (r == null) {
                out.insert(key, sv);
            } else {
                List<String> differing = sv.keySet().stream().filter(c -> !Objects.equals(sv.get(c), tv.get(c))).toList();
                if (differing.isEmpty()) {
                    out.comment(key + " is already equal");
                    out.equal++;
                } else {
                    out.update(key, sv, tv, differing);
                }
            }
        }
        for (Map<String, Object> key : keys) {
            // asked for but on neither side: nothing to do, said so
            boolean found = all.stream().anyMatch(b -> CanonicalReader.keyColumns(b.array()).equals(normalise(key)));
            if (!found) {
                out.comment(key + " is on neither side");
            }
        }
        StringBuilder sql = new StringBuilder();
        String side = via == Via.SOURCE ? "SOURCE" : "TARGET";
        sql.append("-- Parity repair for ").append(t.mappedId()).append(via == Via.SOURCE ? ", to run on the source (" + t.sourceName() + ", "
                : ", to run on the target (" + t.targetName() + ", ").append(engine.name().toLowerCase(Locale.ROOT)).append(")\n");
        sql.append("-- written ").append(now).append("; source rows read at heartbeat ").append(pages.get(Side.SOURCE).heartbeatSeq())
                .append(", target rows at heartbeat ").append(pages.get(Side.TARGET).heartbeatSeq()).append('\n');
        sql.append("-- ").append(out.inserts).append(" insert(s), ").append(out.updates).append(" update(s), ").append(out.deletes).append(" delete(s); keys: ")
                .append(all.stream().limit(50).map(b -> CanonicalReader.keyColumns(b.array()).toString()).collect(Collectors.joining(" ")))
                .append(all.size() > 50 ? " … (" + all.size() + " in all)" : "").append('\n');
        sql.append("-- Review it, then run it on the ").append(side).append(" only. Parity does not run it.\n");
        out.explanation().forEach(h -> sql.append("-- ").append(h).append('\n'));
        header.forEach(h -> sql.append("-- ").append(h).append('\n'));
        out.script(sql);
        return new Result(sql.toString(), out.inserts, out.updates, out.deletes, out.equal);
    }

    private static Map<String, Object> normalise(Map<String, Object> key) {
        Map<String, Object> out = new LinkedHashMap<>();
        key.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v instanceof Integer i ? Long.valueOf(i) : v));
        return out;
    }
}
