package dev.parity.reconciler.canonical;

/**
 * The engine-neutral logical types of the canonical row. The tag byte is part of the encoding, so
 * it is stable forever: changing one changes every hash Parity has ever stored.
 */
public enum LogicalType {
    NULL(0),
    BOOLEAN(1),
    /** Any integer that fits a signed 64-bit value, whatever the column width or signedness. */
    INTEGER(2),
    /** An integer outside the signed 64-bit range (BIGINT UNSIGNED above 2^63-1, NUMERIC(30,0)...). */
    BIG_INTEGER(3),
    /** An exact number with a fractional part, trailing zeros stripped: 1.50 = 1.5 (integral values are INTEGER). */
    DECIMAL(4),
    /** IEEE-754 binary64 bits; a binary32 value is widened exactly. */
    FLOAT(5),
    /** UTF-8 bytes, never trimmed or case-folded. */
    STRING(6),
    BYTES(7),
    /** Days since 1970-01-01. */
    DATE(8),
    /** Microseconds since midnight. */
    TIME(9),
    /** Local date-time (no zone) as microseconds since 1970-01-01T00:00. */
    LOCAL_DATE_TIME(10),
    /** An instant as UTC microseconds since the epoch. */
    TIMESTAMP(11),
    /** JSON re-serialised with sorted keys, no insignificant white space, normalised numbers. */
    JSON(12);

    private static final LogicalType[] BY_TAG = new LogicalType[16];

    static {
        for (LogicalType t : values()) {
            BY_TAG[t.tag] = t;
        }
    }

    private final int tag;

    LogicalType(int tag) {
        this.tag = tag;
    }

    public int tag() {
        return tag;
    }

    public static LogicalType ofTag(int tag) {
        LogicalType t = tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
        if (t == null) {
            throw new IllegalArgumentException("unknown canonical type tag " + tag);
        }
        return t;
    }
}
