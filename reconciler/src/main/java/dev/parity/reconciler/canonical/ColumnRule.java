package dev.parity.reconciler.canonical;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * An opt-in comparison rule for one column (config {@code tables.columns}, README "Types across
 * engines"), applied by {@link CanonicalWriter} on both sides alike before a value is hashed. Without a
 * rule a value compares exactly: these only loosen what the user asked to loosen.
 *
 * @param ignorePadding strings compare without trailing spaces ({@code CHAR(n)}: PostgreSQL keeps the
 *                      padding MySQL strips)
 * @param digits        floating-point values compare rounded to this many significant digits (half even);
 *                      null: bit for bit
 * @param zone          a local date-time (MySQL {@code DATETIME}, PostgreSQL {@code timestamp}) is read as
 *                      an instant in this zone, to compare with an instant column on the other side (MySQL
 *                      {@code TIMESTAMP} ↔ PostgreSQL {@code timestamp}); null: local date-times stay local
 * @param ignored       the column is not compared at all ({@code compare: false}): its values count as equal on
 *                      both sides, and status says so; for a column no read outside the stream can verify, or one
 *                      the user knows differs by design. Key columns are always compared (a row's identity).
 */
public record ColumnRule(boolean ignorePadding, Integer digits, ZoneId zone, boolean ignored) {
    public ColumnRule {
        if (digits != null && (digits < 1 || digits > 17)) {
            throw new IllegalArgumentException("digits must be within 1..17, was " + digits);
        }
    }

    public ColumnRule(boolean ignorePadding, Integer digits, ZoneId zone) {
        this(ignorePadding, digits, zone, false);
    }

    /** The rule that takes a column out of comparison. */
    public static final ColumnRule NOT_COMPARED = new ColumnRule(false, null, null, true);

    public String string(String v) {
        if (!ignorePadding) {
            return v;
        }
        int end = v.length();
        while (end > 0 && v.charAt(end - 1) == ' ') {
            end--;
        }
        return v.substring(0, end);
    }

    public double floating(double v) {
        if (digits == null || Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
            return v;
        }
        return new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN)).doubleValue();
    }

    /** The UTC instant, in microseconds, of a local date-time in {@link #zone} (the earlier one in an overlap). */
    public long instantMicros(long localEpochMicros) {
        long seconds = Math.floorDiv(localEpochMicros, 1_000_000L);
        long micros = Math.floorMod(localEpochMicros, 1_000_000L);
        LocalDateTime local = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        long utcSeconds = local.atZone(zone).toEpochSecond();
        return utcSeconds * 1_000_000L + micros;
    }
}
