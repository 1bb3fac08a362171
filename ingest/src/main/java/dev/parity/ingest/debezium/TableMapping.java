package dev.parity.ingest.debezium;

import java.util.Map;
import java.util.Objects;

/**
 * How one side names its tables in Parity's events: a captured table's mapped id is the source
 * table's name, so that source {@code shop.orders} and target {@code public.orders} share keys.
 *
 * @param toMapped this side's table name (schema.table) → mapped id; tables absent here are not captured
 */
public record TableMapping(Map<String, String> toMapped) {
    public TableMapping {
        toMapped = Map.copyOf(Objects.requireNonNull(toMapped, "toMapped"));
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
