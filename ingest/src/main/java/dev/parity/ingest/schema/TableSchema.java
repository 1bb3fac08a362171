package dev.parity.ingest.schema;

import java.util.List;

/**
 * A table's structure as introspected on one side.
 *
 * @param uniqueKeys  column lists of unique indexes and constraints other than the primary key, lower-case
 * @param foreignKeys "cols → referenced.table(cols)", lower-case
 */
public record TableSchema(String table, List<ColumnInfo> columns, List<String> primaryKey, List<List<String>> uniqueKeys,
                          List<String> foreignKeys) {
    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        uniqueKeys = List.copyOf(uniqueKeys);
        foreignKeys = List.copyOf(foreignKeys);
    }

    /** This structure without the named columns (lower-case names): what rows are compared over when one side lacks them. */
    public TableSchema without(java.util.Set<String> names) {
        if (names.isEmpty()) {
            return this;
        }
        return new TableSchema(table, columns.stream().filter(c -> !names.contains(c.name().toLowerCase(java.util.Locale.ROOT))).toList(),
                primaryKey, uniqueKeys, foreignKeys);
    }
}
