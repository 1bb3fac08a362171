package dev.parity.ingest.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Compares a source table with its target across engines: types by family (README, "Types across
 * engines"), sizes with the narrower target flagged as a truncation risk, nullability, defaults (same
 * engine only: their spelling is engine-specific), primary key, unique keys and foreign keys.
 */
public final class SchemaComparison {
    private SchemaComparison() {
    }

    /**
     * @param toTarget maps a source table name (as foreign keys reference it) to its target name
     * @param sameEngine whether defaults can be compared as text
     */
    public static List<SchemaDifference> compare(TableSchema source, TableSchema target, UnaryOperator<String> toTarget, boolean sameEngine) {
        List<SchemaDifference> out = new ArrayList<>();
        String table = source.table();
        Map<String, ColumnInfo> tcols = byName(target.columns());
        Set<String> seen = new HashSet<>();
        for (ColumnInfo s : source.columns()) {
            ColumnInfo t = tcols.get(s.name());
            seen.add(s.name());
            if (t == null) {
                out.add(new SchemaDifference(table, "column", s.describe(), null, "missing on the target: its values are lost"));
                continue;
            }
            String risk = typeRisk(s, t);
            if (risk == null && s.nullable() && !t.nullable()) {
                risk = "NOT NULL only on the target: writes with NULL fail there";
            }
            boolean defaultsDiffer = sameEngine && !Objects.equals(s.defaultValue(), t.defaultValue());
            if (risk != null || !equivalent(s.family(), t.family()) || s.nullable() != t.nullable() || defaultsDiffer
                    || (sameEngine && !s.nativeType().equals(t.nativeType()))) {
                out.add(new SchemaDifference(table, "column", s.describe(), t.describe(), risk));
            }
        }
        for (ColumnInfo t : target.columns()) {
            if (!seen.contains(t.name())) {
                out.add(new SchemaDifference(table, "column", null, t.describe(),
                        t.nullable() || t.defaultValue() != null ? null : "NOT NULL without a default only on the target: inserts from the application fail"));
            }
        }
        if (!source.primaryKey().equals(target.primaryKey())) {
            out.add(new SchemaDifference(table, "primary key", source.primaryKey().toString(), target.primaryKey().toString(),
                    "rows are identified differently"));
        }
        Set<List<String>> su = new HashSet<>(source.uniqueKeys());
        Set<List<String>> tu = new HashSet<>(target.uniqueKeys());
        su.stream().filter(u -> !tu.contains(u)).forEach(u -> out.add(new SchemaDifference(table, "unique key", u.toString(), null,
                "duplicates the source rejects are accepted on the target")));
        tu.stream().filter(u -> !su.contains(u)).forEach(u -> out.add(new SchemaDifference(table, "unique key", null, u.toString(),
                "writes the source accepts can fail on the target")));
        Set<String> sf = new HashSet<>();
        source.foreignKeys().forEach(f -> sf.add(mapReference(f, toTarget)));
        Set<String> tf = new HashSet<>(target.foreignKeys());
        sf.stream().filter(f -> !tf.contains(f)).forEach(f -> out.add(new SchemaDifference(table, "foreign key", f, null,
                "the target does not enforce it: orphans can appear")));
        tf.stream().filter(f -> !sf.contains(f)).forEach(f -> out.add(new SchemaDifference(table, "foreign key", null, f, null)));
        return out;
    }

    /** Why the target column can hold less than the source's; null when it holds everything. */
    static String typeRisk(ColumnInfo s, ColumnInfo t) {
        if (s.family() == TypeFamily.INTEGER && t.family() == TypeFamily.DECIMAL) {
            long max = Math.max(Math.abs(integerRange(s.nativeType())[0] + 1), integerRange(s.nativeType())[1]);
            int digits = s.nativeType().contains("bigint") && s.nativeType().contains("unsigned") ? 20 : Long.toString(max).length();
            return Integer.valueOf(0).equals(t.scale()) && t.precision() != null && t.precision() >= digits ? null
                    : "the target's decimal cannot hold every integer of the source's range";
        }
        if (s.family() == TypeFamily.DECIMAL && t.family() == TypeFamily.INTEGER) {
            long max = integerRange(t.nativeType())[1];
            return Integer.valueOf(0).equals(s.scale()) && s.precision() != null && s.precision() < Long.toString(max).length() ? null
                    : "the target's integer cannot hold every value of the source's decimal";
        }
        if (!compatible(s.family(), t.family())) {
            return "types differ (" + s.family() + " vs " + t.family() + "): values do not compare equal";
        }
        switch (s.family()) {
            case INTEGER -> {
                long[] sr = integerRange(s.nativeType());
                long[] tr = integerRange(t.nativeType());
                if (tr[1] < sr[1] || tr[0] > sr[0]) {
                    return "narrower integer on the target: out-of-range values are rejected or clipped";
                }
            }
            case DECIMAL -> {
                if (s.precision() != null && t.precision() != null && (t.scale() < s.scale() || t.precision() - t.scale() < s.precision() - s.scale())) {
                    return "narrower decimal on the target: digits are rounded away or values rejected";
                }
            }
            case STRING, CHAR, TEXT, BINARY -> {
                if (s.length() != null && t.length() != null && t.length() < s.length()) {
                    return "narrower on the target (" + t.length() + " < " + s.length() + "): values may be truncated";
                }
                if (s.family() == TypeFamily.TEXT && t.family() != TypeFamily.TEXT && t.length() != null) {
                    return "bounded on the target (" + t.length() + "): long values may be truncated";
                }
            }
            case TIME, DATETIME, TIMESTAMP -> {
                if (s.precision() != null && t.precision() != null && t.precision() < s.precision()) {
                    return "fewer fractional-second digits on the target (" + t.precision() + " < " + s.precision() + "): sub-second parts are lost";
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** Families whose values compare equal: the same, exact numbers (integer ↔ decimal), or text. */
    private static boolean equivalent(TypeFamily s, TypeFamily t) {
        Set<TypeFamily> exact = Set.of(TypeFamily.INTEGER, TypeFamily.DECIMAL);
        return compatible(s, t) || exact.contains(s) && exact.contains(t);
    }

    private static boolean compatible(TypeFamily s, TypeFamily t) {
        if (s == t) {
            return true;
        }
        Set<TypeFamily> text = Set.of(TypeFamily.STRING, TypeFamily.TEXT);
        return text.contains(s) && text.contains(t);
    }

    /** [min, max] of an integer column from its type name (MySQL spelling with unsigned, or PostgreSQL). */
    static long[] integerRange(String nativeType) {
        String t = nativeType.toLowerCase(java.util.Locale.ROOT);
        boolean unsigned = t.contains("unsigned");
        int bits = t.startsWith("tinyint") ? 8 : t.startsWith("smallint") || t.startsWith("year") ? 16 : t.startsWith("mediumint") ? 24
                : t.startsWith("int") ? 32 : 64;
        if (unsigned) {
            return new long[] {0, bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1};
        }
        return new long[] {-(1L << (bits - 1)), bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1};
    }

    private static String mapReference(String fk, UnaryOperator<String> toTarget) {
        int arrow = fk.indexOf(" → ");
        int paren = fk.indexOf('(', arrow);
        return fk.substring(0, arrow + 3) + toTarget.apply(fk.substring(arrow + 3, paren)) + fk.substring(paren);
    }

    private static Map<String, ColumnInfo> byName(List<ColumnInfo> cols) {
        Map<String, ColumnInfo> m = new LinkedHashMap<>();
        cols.forEach(c -> m.put(c.name(), c));
        return m;
    }
}
