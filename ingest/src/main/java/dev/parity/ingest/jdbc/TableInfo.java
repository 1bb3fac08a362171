package dev.parity.ingest.jdbc;

import java.util.List;

/**
 * A table as introspected on one side.
 *
 * @param primaryKey primary-key columns; empty when the table has none
 */
public record TableInfo(String schema, String name, List<String> primaryKey) {
    public TableInfo {
        primaryKey = List.copyOf(primaryKey);
    }

    public String qualifiedName() {
        return schema + "." + name;
    }

    public boolean keyed() {
        return !primaryKey.isEmpty();
    }
}
