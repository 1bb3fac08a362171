package dev.parity.ingest.debezium;

import java.util.Map;
import java.util.Objects;

/**
 * How one side names its tables in Parity's events: a captured table's mapped id is the source
 * table's name, so that source {@code shop.orders} and target {@code public.orders} share keys.
 *
 * @param toMapped  this side's table name (schema.table) → mapped id; tables absent here are not captured
 * @param byContent this side's names of captured tables without key, whose rows are identified by their
 *                  whole content and counted as copies (README, "Tables without a key")
 */
public record TableMapping(Map<String, String> toMapped, java.util.Set<String> byContent) {
    public TableMapping {
        toMapped = Map.copyOf(Objects.requireNonNull(toMapped, "toMapped"));
        byContent = java.util.Set.copyOf(byContent);
    }

    /** Every table keyed. */
    public TableMapping(Map<String, String> toMapped) {
        this(toMapped, java.util.Set.of());
    }

    /** Whether the rows of this side's table {@code namespace.table} are identified by their content. */
    public boolean byContent(String qualified) {
        return byContent.contains(qualified);
    }

    /** The mapped id of a captured table; null when the table is not captured. */
    public String mappedId(String schema, String table) {
        return mappedId(schema + "." + table);
    }

    /** The mapped id of a captured table named {@code namespace.table}; null when not captured. */
    public String mappedId(String qualified) {
        return toMapped.get(qualified);
    }
}
