package dev.parity.ingest.load;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.schema.TypeFamily;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How Parity's initial load pairs the rows of a table's two sides (README, "How it decides"):
 *
 * <ul>
 *   <li>{@link #RANGES}: both sides are read by the same key ranges (a source page, then the target's
 *       rows between the same two keys). Only where both databases order the keys identically:
 *       integer and decimal keys on any engines; dates, times, UUIDs and binaries of the same type on
 *       the same engine; strings on the same MySQL/MariaDB engine under the same collation.</li>
 *   <li>{@link #KEYS}: every other key. The source is paged in its own order and the target's rows of
 *       exactly those keys are looked up ({@code WHERE (pk) IN (…)}); then the target is paged in its
 *       own order and those keys looked up on the source, and only the target's rows the source does
 *       not have are sent. Every key of either side is so compared once, whatever the two orders —
 *       PostgreSQL ICU or libc collations, case-insensitive MariaDB ones, or different engines — at
 *       the price of a second pass over the target and index lookups on both sides.</li>
 * </ul>
 *
 * Across engines a key looked up on the other side must bind there: integers, decimals, strings,
 * UUIDs and dates do; other key types across engines leave the table to the connectors' snapshot.
 */
enum KeyPairing {
    RANGES, KEYS;

    private static final Set<TypeFamily> ORDER_ALIKE_EVERYWHERE = Set.of(TypeFamily.INTEGER, TypeFamily.DECIMAL);
    private static final Set<TypeFamily> ORDER_ALIKE_ON_ONE_ENGINE = Set.of(TypeFamily.INTEGER, TypeFamily.DECIMAL, TypeFamily.DATE,
            TypeFamily.TIME, TypeFamily.DATETIME, TypeFamily.TIMESTAMP, TypeFamily.UUID, TypeFamily.BINARY);
    private static final Set<TypeFamily> STRINGS = Set.of(TypeFamily.STRING, TypeFamily.CHAR, TypeFamily.TEXT);
    private static final Set<TypeFamily> BIND_ACROSS_ENGINES = Set.of(TypeFamily.INTEGER, TypeFamily.DECIMAL, TypeFamily.STRING,
            TypeFamily.CHAR, TypeFamily.TEXT, TypeFamily.UUID, TypeFamily.DATE);

    /** A pairing, or why the load cannot pair this table (it is then the connectors' to snapshot). */
    record Decision(KeyPairing pairing, String problem) {
    }

    /** @param key the primary-key columns, the same on both sides (lower-case) */
    static Decision decide(Engine sourceEngine, TableSchema source, Engine targetEngine, TableSchema target, List<String> key) {
        boolean ranges = true;
        for (String k : key) {
            ColumnInfo s = column(source, k);
            ColumnInfo t = column(target, k);
            if (s == null || t == null) {
                return new Decision(null, "key column " + k + " not found on the " + (s == null ? "source" : "target"));
            }
            if (!orderAlike(sourceEngine, s, targetEngine, t)) {
                ranges = false;
                if (sourceEngine != targetEngine && !(BIND_ACROSS_ENGINES.contains(s.family()) && BIND_ACROSS_ENGINES.contains(t.family()))) {
                    return new Decision(null, "key column " + k + " is " + s.nativeType() + " on the source and " + t.nativeType()
                            + " on the target; across engines Parity's load looks up only integer, decimal, string, UUID and date keys");
                }
            }
        }
        return new Decision(ranges ? RANGES : KEYS, null);
    }

    private static boolean orderAlike(Engine se, ColumnInfo s, Engine te, ColumnInfo t) {
        if (ORDER_ALIKE_EVERYWHERE.contains(s.family()) && ORDER_ALIKE_EVERYWHERE.contains(t.family())) {
            return true;
        }
        if (se != te || !s.nativeType().equals(t.nativeType())) {
            return false;
        }
        if (ORDER_ALIKE_ON_ONE_ENGINE.contains(s.family())) {
            return true;
        }
        // PostgreSQL's default collation may be libc or ICU and is not compared here: its string keys are looked up.
        return STRINGS.contains(s.family()) && se.isBinlog() && s.collation() != null && s.collation().equals(t.collation());
    }

    private static ColumnInfo column(TableSchema schema, String name) {
        return schema.columns().stream().filter(c -> c.name().equals(name.toLowerCase(Locale.ROOT))).findFirst().orElse(null);
    }
}
