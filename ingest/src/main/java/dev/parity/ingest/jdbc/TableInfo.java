package dev.parity.ingest.jdbc;

import java.util.List;

/**
 * A table as introspected on one side, with the columns Parity identifies its rows by (README, "What
 * Parity watches"): the primary key, else a unique index whose columns are all NOT NULL — the same rows
 * as a primary key would identify, only not declared as one.
 *
 * @param key           the identifying columns, in index order; empty when the table has neither
 * @param keyIndex      the unique index {@code key} comes from; null when it is the primary key (or none)
 * @param captureProblem why this side cannot capture the table although it has a key (PostgreSQL: no
 *                      replica identity to carry the key of an UPDATE or DELETE); null when it can
 */
public record TableInfo(String schema, String name, List<String> key, String keyIndex, String captureProblem) {
    public TableInfo {
        key = List.copyOf(key);
    }

    /** A table identified by its primary key ({@code primaryKey} empty: by nothing). */
    public TableInfo(String schema, String name, List<String> primaryKey) {
        this(schema, name, primaryKey, null, null);
    }

    public String qualifiedName() {
        return schema + "." + name;
    }

    public boolean keyed() {
        return !key.isEmpty();
    }

    /** Whether the key is a unique index rather than the primary key (the connectors must be told: {@code message.key.columns}). */
    public boolean keyedByIndex() {
        return keyed() && keyIndex != null;
    }

    /** "primary key (id)" or "unique index orders_code_key (code, n)". */
    public String keyDescription() {
        return (keyIndex == null ? "primary key" : "unique index " + keyIndex) + " (" + String.join(", ", key) + ")";
    }

    /**
     * The key Parity would pick among a table's primary key and its unique NOT NULL indexes: the primary
     * key; else the index with the fewest columns, ties broken by name (so both sides pick alike).
     *
     * @param uniqueNotNull name → columns of each unique index whose columns are all NOT NULL (non-partial, no expressions)
     */
    public static TableInfo choose(String schema, String name, List<String> primaryKey, java.util.Map<String, List<String>> uniqueNotNull,
                                   String captureProblem) {
        if (!primaryKey.isEmpty() || uniqueNotNull.isEmpty()) {
            return new TableInfo(schema, name, primaryKey, null, captureProblem);
        }
        java.util.Map.Entry<String, List<String>> best = uniqueNotNull.entrySet().stream()
                .min(java.util.Comparator.<java.util.Map.Entry<String, List<String>>>comparingInt(e -> e.getValue().size())
                        .thenComparing(java.util.Map.Entry::getKey)).orElseThrow();
        return new TableInfo(schema, name, best.getValue(), best.getKey(), captureProblem);
    }
}
