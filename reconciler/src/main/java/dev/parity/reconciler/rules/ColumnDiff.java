package dev.parity.reconciler.rules;

import dev.parity.reconciler.canonical.CanonicalValue;
import dev.parity.reconciler.canonical.LogicalType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which columns of a divergent row differ, and the likely cause of each (README, "Which column, and
 * why"). Pure: the two rows as decoded canonical values, and what the target declares of its
 * columns; the same canonical values the hashes are computed over, so a column listed here is
 * exactly one whose encodings differ.
 *
 * <p>Causes are tried from the most specific to the least, the first that explains the pair wins:
 * {@code NULL_VS_EMPTY}, {@code PADDING} (trailing spaces only), {@code CASE} (letter case only),
 * {@code TRUNCATED} (the target is a proper prefix of the source), {@code ENCODING} (one side is the
 * other's UTF-8 bytes read as Latin-1 or Windows-1252, once or twice), {@code TIME_SHIFT} (the same
 * instant or local time moved by a whole number of minutes, at most a day), {@code ROUNDED} (the target
 * is the source rounded to fewer decimal places, or to single precision), else {@code OTHER}.
 */
public final class ColumnDiff {
    /** Most a shift may be to read as a time-zone difference: zone offsets span −12 h to +14 h. */
    private static final long MAX_SHIFT_MICROS = 26L * 3600 * 1_000_000;
    private static final Charset CP1252 = Charset.forName("windows-1252");

    private ColumnDiff() {
    }

    public enum Cause { TIME_SHIFT, TRUNCATED, ROUNDED, ENCODING, PADDING, CASE, NULL_VS_EMPTY, OTHER }

    /**
     * What the target declares of one column, as far as a cause needs it.
     *
     * @param length characters (or bytes) a string column holds; null when unbounded or unknown
     * @param scale  decimal places of an exact numeric column; null when not one
     */
    public record ColumnShape(String nativeType, Long length, Integer scale) {
    }

    /** One differing column; the values are the decoded canonical ones (null for SQL NULL or a missing column). */
    public record Finding(String column, CanonicalValue source, CanonicalValue target, Cause cause, String detail) {
        /**
         * This finding to be kept for long: a text, JSON or binary value longer than {@code max} characters (bytes)
         * becomes its first {@code max} (binary: as hex) and its full length, so that thousands of kept findings
         * of 10 MB values do not hold the values. Cause and detail were decided on the whole values.
         */
        public Finding bounded(int max) {
            CanonicalValue s = cut(source, max);
            CanonicalValue t = cut(target, max);
            return s == source && t == target ? this : new Finding(column, s, t, cause, detail);
        }

        private static CanonicalValue cut(CanonicalValue v, int max) {
            if (v == null) {
                return null;
            }
            if ((v.type() == dev.parity.reconciler.canonical.LogicalType.STRING || v.type() == dev.parity.reconciler.canonical.LogicalType.JSON)
                    && ((String) v.value()).length() > max) {
                String text = (String) v.value();
                return new CanonicalValue(dev.parity.reconciler.canonical.LogicalType.STRING,
                        text.substring(0, max) + "… (" + text.length() + " characters in all)");
            }
            if (v.type() == dev.parity.reconciler.canonical.LogicalType.BYTES && ((byte[]) v.value()).length > max) {
                byte[] bytes = (byte[]) v.value();
                return new CanonicalValue(dev.parity.reconciler.canonical.LogicalType.STRING,
                        "0x" + java.util.HexFormat.of().formatHex(bytes, 0, max / 2) + "… (" + bytes.length + " bytes in all)");
            }
            return v;
        }
    }

    /** Every column whose values differ, in canonical (name) order; a column one side lacks differs. */
    public static List<Finding> diff(Map<String, CanonicalValue> source, Map<String, CanonicalValue> target, Map<String, ColumnShape> targetShape) {
        TreeSet<String> names = new TreeSet<>(source.keySet());
        names.addAll(target.keySet());
        List<Finding> out = new ArrayList<>();
        for (String name : names) {
            CanonicalValue s = source.get(name);
            CanonicalValue t = target.get(name);
            if (s != null && s.equals(t)) {
                continue;
            }
            if (s == null || t == null) {
                out.add(new Finding(name, s, t, Cause.OTHER, (s == null ? "only the target" : "only the source") + " has this column"));
                continue;
            }
            out.add(classify(name, s, t, targetShape.get(name)));
        }
        return out;
    }

    /** The likely cause of one differing pair. */
    public static Finding classify(String column, CanonicalValue s, CanonicalValue t, ColumnShape shape) {
        Finding f;
        if ((f = nullVsEmpty(column, s, t)) != null || (f = strings(column, s, t, shape)) != null || (f = timeShift(column, s, t)) != null
                || (f = rounded(column, s, t, shape)) != null) {
            return f;
        }
        return new Finding(column, s, t, Cause.OTHER, s.type() == t.type() ? null : "source " + name(s.type()) + ", target " + name(t.type()));
    }

    private static Finding nullVsEmpty(String column, CanonicalValue s, CanonicalValue t) {
        if (s.isNull() && isEmptyString(t) || t.isNull() && isEmptyString(s)) {
            return new Finding(column, s, t, Cause.NULL_VS_EMPTY, s.isNull() ? "source NULL, target ''" : "source '', target NULL");
        }
        return null;
    }

    private static boolean isEmptyString(CanonicalValue v) {
        return v.type() == LogicalType.STRING && ((String) v.value()).isEmpty();
    }

    private static Finding strings(String column, CanonicalValue sv, CanonicalValue tv, ColumnShape shape) {
        if (sv.type() != LogicalType.STRING || tv.type() != LogicalType.STRING) {
            return null;
        }
        String s = (String) sv.value();
        String t = (String) tv.value();
        if (stripTrailing(s).equals(stripTrailing(t))) {
            return new Finding(column, sv, tv, Cause.PADDING, "trailing spaces: source " + trailing(s) + ", target " + trailing(t));
        }
        if (s.toLowerCase(Locale.ROOT).equals(t.toLowerCase(Locale.ROOT))) {
            return new Finding(column, sv, tv, Cause.CASE, "letter case only");
        }
        if (!t.isEmpty() && s.length() > t.length() && s.startsWith(t)) {
            String declared = shape == null || shape.length() == null ? "" : "; the target column holds " + shape.length();
            return new Finding(column, sv, tv, Cause.TRUNCATED,
                    "source " + s.codePointCount(0, s.length()) + " chars, target " + t.codePointCount(0, t.length()) + declared);
        }
        String how = encoding(s, t);
        if (how != null) {
            return new Finding(column, sv, tv, Cause.ENCODING, how);
        }
        return null;
    }

    /** How one string is the other mis-decoded, or null. */
    static String encoding(String s, String t) {
        for (Charset cs : List.of(StandardCharsets.ISO_8859_1, CP1252)) {
            String name = cs == CP1252 ? "Windows-1252" : "Latin-1";
            if (t.equals(misread(s, cs))) {
                return "target is the source's UTF-8 read as " + name + " (double-encoded)";
            }
            if (s.equals(misread(t, cs))) {
                return "source is the target's UTF-8 read as " + name + " (double-encoded)";
            }
            if (t.equals(misread(misread(s, cs), cs))) {
                return "target is the source's UTF-8 read as " + name + " twice";
            }
        }
        return null;
    }

    private static String misread(String text, Charset as) {
        return new String(text.getBytes(StandardCharsets.UTF_8), as);
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    private static int trailing(String s) {
        return s.length() - stripTrailing(s).length();
    }

    private static Finding timeShift(String column, CanonicalValue s, CanonicalValue t) {
        boolean temporal = s.type() == t.type() && (s.type() == LogicalType.TIMESTAMP || s.type() == LogicalType.LOCAL_DATE_TIME
                || s.type() == LogicalType.TIME);
        boolean mixed = s.type() != t.type() && isDateTime(s.type()) && isDateTime(t.type()); // instant vs local time across engines
        if (!temporal && !mixed) {
            return null;
        }
        long d = (Long) t.value() - (Long) s.value();
        if (d != 0 && d % 60_000_000L == 0 && Math.abs(d) <= MAX_SHIFT_MICROS) {
            return new Finding(column, s, t, Cause.TIME_SHIFT, (d > 0 ? "+" : "") + d / 1_000_000L + " s");
        }
        return null;
    }

    private static boolean isDateTime(LogicalType type) {
        return type == LogicalType.TIMESTAMP || type == LogicalType.LOCAL_DATE_TIME;
    }

    private static Finding rounded(String column, CanonicalValue s, CanonicalValue t, ColumnShape shape) {
        BigDecimal sd = s.decimal();
        BigDecimal td = t.decimal();
        if (sd == null || td == null) {
            return null;
        }
        if (s.type() == LogicalType.FLOAT && t.type() == LogicalType.FLOAT && (double) (float) (double) (Double) s.value() == (Double) t.value()) {
            return new Finding(column, s, t, Cause.ROUNDED, "to single precision (float4)");
        }
        int sourceScale = Math.max(0, sd.stripTrailingZeros().scale());
        // The target's scale explains it only where it is narrower than the value; otherwise any rounding is the writer's.
        Integer declared = shape == null || shape.scale() == null || shape.scale() >= sourceScale ? null : shape.scale();
        for (int scale = sourceScale - 1; scale >= 0; scale--) {
            if (declared != null && scale != declared) {
                continue;
            }
            for (RoundingMode mode : List.of(RoundingMode.HALF_UP, RoundingMode.DOWN, RoundingMode.HALF_EVEN)) {
                if (sd.setScale(scale, mode).compareTo(td) == 0) {
                    return new Finding(column, s, t, Cause.ROUNDED, "to " + scale + " decimal place" + (scale == 1 ? "" : "s")
                            + (mode == RoundingMode.DOWN ? " (cut, not rounded)" : "") + (declared != null ? ", the target's scale" : ""));
                }
            }
        }
        return null;
    }

    private static String name(LogicalType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    /** A row's one-word summary: the cause shared by every differing column, or {@code MIXED}. */
    public static String rowCause(List<Finding> findings) {
        if (findings.isEmpty()) {
            return null;
        }
        Cause first = findings.get(0).cause();
        return findings.stream().allMatch(f -> f.cause() == first) ? first.name() : "MIXED";
    }
}
