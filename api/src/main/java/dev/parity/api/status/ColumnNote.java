package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.reconciler.model.Side;
import java.util.Locale;

/**
 * A column of a watched table that is not verified like the others (README, "Types across engines"):
 * {@code UNVERIFIED} when no read outside the change stream (load, sweep) can read its type to the value
 * the stream gives, so the table is never fully re-read; {@code NOT_COMPARED} when config takes it out of
 * comparison ({@code tables.columns ... compare: false}).
 *
 * @param side null for a rule that applies to both sides
 * @param type the column's type on that side; null for a rule
 */
@JsonInclude(Include.NON_NULL)
public record ColumnNote(String column, String side, String type, String state, String reason) {
    /**
     * A table's notes: its columns config does not compare, and those the latest sweep of a side could not read.
     *
     * @param rules   the table's column rules (config {@code tables.columns})
     * @param engines each side's engine; empty before start
     */
    static java.util.List<ColumnNote> of(String table, java.util.Map<String, dev.parity.reconciler.canonical.ColumnRule> rules,
                                         java.util.List<dev.parity.ingest.sweep.Sweeper.TableResult> sweep,
                                         java.util.Map<Side, dev.parity.ingest.engine.Engine> engines) {
        java.util.List<ColumnNote> out = new java.util.ArrayList<>();
        rules.forEach((column, rule) -> {
            if (rule.ignored()) {
                out.add(notCompared(table, column));
            }
        });
        sweep.stream().filter(r -> r.table().equals(table) && engines.containsKey(r.side()))
                .forEach(r -> r.unreadable().forEach(c -> out.add(unreadable(table, r.side(), engines.get(r.side()).name(), c))));
        return out;
    }

    static ColumnNote unreadable(String table, Side side, String engine, ColumnInfo c) {
        return new ColumnNote(c.name(), side.label(), c.nativeType(), "UNVERIFIED", "Parity cannot read " + c.nativeType() + " on "
                + engine.toLowerCase(Locale.ROOT) + " to the value the change stream gives: the streams compare it, but no full re-read of "
                + table + " can, so the gate's reread check stays UNKNOWN for the table (tables.columns." + table + "." + c.name()
                + ": {compare: false} takes the column out of comparison)");
    }

    static ColumnNote notCompared(String table, String column) {
        return new ColumnNote(column, null, null, "NOT_COMPARED", "tables.columns." + table + "." + column
                + ": compare: false: its values are not compared on either side (key columns always are)");
    }
}
