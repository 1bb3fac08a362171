package dev.parity.ingest.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The columns each watched table has on one side only (README, "Schema drift while monitoring"): rows are compared over
 * the columns both sides have, so these are left out of every row hash and row shape, on both sides alike — the
 * change streams', the load's, the sweep's and the drill-down's — and reported once, as a schema difference, instead of
 * as every row of the table. Key columns are never left out (they are a row's identity). Thread-safe. Three writers keep
 * it current: {@code Databases.compareColumns} at start, before anything is read; {@code SchemaWatch} every few seconds
 * and at each DDL event (a change there asks the sweep to re-read the table); and {@code Sweeper} before each re-read,
 * from the very structures that read uses, so both sides of one read are hashed over one set of columns.
 */
public final class OneSidedColumns {
    private volatile Map<String, Set<String>> byTable = Map.of();

    /** The lower-case names of {@code mappedId}'s columns that only one side has; empty when none (or unknown). */
    public Set<String> of(String mappedId) {
        return byTable.getOrDefault(mappedId, Set.of());
    }

    /** Every table with a one-sided column, and those columns. */
    public Map<String, Set<String>> all() {
        return byTable;
    }

    /** Notes one table's one-sided columns; returns whether they changed (rows must then be compared again: re-read). */
    public synchronized boolean set(String mappedId, Set<String> columns) {
        Set<String> now = Set.copyOf(columns);
        if (now.equals(of(mappedId))) {
            return false;
        }
        Map<String, Set<String>> next = new HashMap<>(byTable);
        if (now.isEmpty()) {
            next.remove(mappedId);
        } else {
            next.put(mappedId, now);
        }
        byTable = Map.copyOf(next);
        return true;
    }

    /**
     * The columns one of the two structures has and the other lacks, lower case, sorted; never a key column of either.
     * Pure: what {@link #set} is given.
     */
    public static Set<String> between(TableSchema source, TableSchema target) {
        Set<String> s = names(source.columns());
        Set<String> t = names(target.columns());
        Set<String> out = new TreeSet<>();
        s.stream().filter(c -> !t.contains(c)).forEach(out::add);
        t.stream().filter(c -> !s.contains(c)).forEach(out::add);
        for (String k : source.primaryKey()) {
            out.remove(k.toLowerCase(Locale.ROOT));
        }
        for (String k : target.primaryKey()) {
            out.remove(k.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static Set<String> names(List<ColumnInfo> columns) {
        Set<String> out = new TreeSet<>();
        columns.forEach(c -> out.add(c.name().toLowerCase(Locale.ROOT)));
        return out;
    }
}
