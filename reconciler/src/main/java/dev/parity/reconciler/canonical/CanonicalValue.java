package dev.parity.reconciler.canonical;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One column value of a canonical row, decoded: its logical type and a plain Java value —
 * {@code Long} (INTEGER, and the microsecond counts of DATE-days, TIME, LOCAL_DATE_TIME, TIMESTAMP),
 * {@code BigInteger}, {@code BigDecimal}, {@code Double}, {@code Boolean}, {@code String} (STRING,
 * JSON), {@code byte[]} (BYTES), or null (NULL). Two values are equal exactly when their canonical
 * encodings are, which is when the row hashes agree on that column.
 */
public record CanonicalValue(LogicalType type, Object value) {
    public static final CanonicalValue NULL = new CanonicalValue(LogicalType.NULL, null);

    public boolean isNull() {
        return type == LogicalType.NULL;
    }

    /** The value as the API shows it: numbers and booleans as they are, temporal values as ISO-8601, bytes as base64. */
    public Object display() {
        return switch (type) {
            case NULL -> null;
            case BYTES -> Base64.getEncoder().encodeToString((byte[]) value);
            case DATE -> LocalDate.ofEpochDay((Long) value).toString();
            case TIME -> LocalTime.ofNanoOfDay((Long) value * 1000L).toString();
            case LOCAL_DATE_TIME -> LocalDateTime.ofInstant(instant((Long) value), ZoneOffset.UTC).toString();
            case TIMESTAMP -> instant((Long) value).toString();
            default -> value;
        };
    }

    /** Microseconds since the epoch as an instant. */
    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /** The number as an exact decimal, or null for a non-number (floats are taken at their exact binary value). */
    public BigDecimal decimal() {
        return switch (type) {
            case INTEGER -> BigDecimal.valueOf((Long) value);
            case BIG_INTEGER -> new BigDecimal((BigInteger) value);
            case DECIMAL -> (BigDecimal) value;
            case FLOAT -> Double.isFinite((Double) value) ? new BigDecimal((Double) value) : null;
            default -> null;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalValue v && type == v.type
                && (value instanceof byte[] b ? v.value instanceof byte[] c && Arrays.equals(b, c) : Objects.equals(value, v.value));
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + (value instanceof byte[] b ? Arrays.hashCode(b) : Objects.hashCode(value));
    }

    @Override
    public String toString() {
        return type + ":" + display();
    }
}
