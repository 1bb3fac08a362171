package dev.parity.reconciler.canonical;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Writes canonical rows and keys: {@code [column name][tag][value]...}, columns in ascending order
 * of their (mapped) names. Two rows are equal exactly when their encodings are byte-equal, so every
 * method here must map equal logical values to equal bytes and distinct values to distinct bytes.
 *
 * <p>Not thread-safe; reuse one per thread via {@link #reset()}.
 */
public final class CanonicalWriter {
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final ByteSink sink;
    private String lastColumn;
    /** This table's opt-in column rules ({@link ColumnRule}); empty for exact comparison. */
    private java.util.Map<String, ColumnRule> rules = java.util.Map.of();
    /** The rule of the column being written; null for none. */
    private ColumnRule rule;
    /** Whether the row (after {@link #beginRow()}) is being written, not the key. */
    private boolean inRow;
    /**
     * The next value belongs to a column that is not compared ({@link ColumnRule#ignored()}): it was
     * written as NULL already and the value itself is dropped, so callers write every column alike.
     */
    private boolean dropNext;

    public CanonicalWriter(ByteSink sink) {
        this.sink = sink;
    }

    public CanonicalWriter() {
        this(new ByteSink(256));
    }

    public CanonicalWriter reset() {
        sink.reset();
        lastColumn = null;
        rule = null;
        rules = java.util.Map.of();
        inRow = false;
        dropNext = false;
        return this;
    }

    /** The rules of the table being written, by lower-case column name; reset by {@link #reset()}. */
    public CanonicalWriter rules(java.util.Map<String, ColumnRule> byColumn) {
        this.rules = byColumn == null ? java.util.Map.of() : byColumn;
        return this;
    }

    public ByteSink sink() {
        return sink;
    }

    /** Starts a key: the mapped table id, so equal rows under different tables never collide. */
    public CanonicalWriter table(String tableId) {
        sink.writeString(tableId);
        lastColumn = null;
        inRow = false;
        return this;
    }

    /**
     * Ends the key and starts the row. The zero byte cannot begin a column name (names are non-empty,
     * so their length prefix is at least 1), so key and row bytes never run into each other.
     */
    public CanonicalWriter beginRow() {
        sink.writeByte(0);
        lastColumn = null;
        inRow = true;
        return this;
    }

    /**
     * Starts the next column. Columns must come in strictly ascending name order; a caller that
     * breaks this would make equal rows hash differently, so it fails loudly instead.
     */
    public CanonicalWriter column(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty column name");
        }
        if (lastColumn != null && lastColumn.compareTo(name) >= 0) {
            throw new IllegalStateException("columns out of canonical order: '" + lastColumn + "' then '" + name + "'");
        }
        lastColumn = name;
        rule = rules.isEmpty() ? null : rules.get(name);
        sink.writeString(name);
        if (inRow && rule != null && rule.ignored()) {
            sink.writeByte(LogicalType.NULL.tag());
            dropNext = true;
        }
        return this;
    }

    /** True (once) when the value about to be written belongs to a column not compared: the caller's value is dropped. */
    private boolean dropped() {
        if (dropNext) {
            dropNext = false;
            return true;
        }
        return false;
    }

    public CanonicalWriter nullValue() {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.NULL.tag());
        return this;
    }

    public CanonicalWriter bool(boolean v) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.BOOLEAN.tag()).writeByte(v ? 1 : 0);
        return this;
    }

    public CanonicalWriter integer(long v) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.INTEGER.tag()).writeLong(v);
        return this;
    }

    public CanonicalWriter integer(BigInteger v) {
        if (dropped()) {
            return this;
        }
        if (v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0) {
            return integer(v.longValue());
        }
        sink.writeByte(LogicalType.BIG_INTEGER.tag()).writeBlob(v.toByteArray());
        return this;
    }

    /** An unsigned 64-bit integer held in a signed long (MySQL BIGINT UNSIGNED). */
    public CanonicalWriter unsignedInteger(long v) {
        if (dropped()) {
            return this;
        }
        return v >= 0 ? integer(v) : integer(new BigInteger(Long.toUnsignedString(v)));
    }

    /**
     * An exact number. Exact numbers compare by value whatever their declared type: an integral value
     * is written exactly as {@link #integer} writes it (5.00 = 5), so MySQL {@code BIGINT UNSIGNED}
     * (delivered as a scale-0 decimal) meets PostgreSQL {@code NUMERIC(20,0)} or {@code BIGINT}. A
     * changed column type is schema drift, which schema parity reports; row parity compares values.
     */
    public CanonicalWriter decimal(BigDecimal v) {
        if (dropped()) {
            return this;
        }
        BigDecimal n = v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
        if (n.scale() <= 0) {
            return integer(n.toBigIntegerExact());
        }
        sink.writeByte(LogicalType.DECIMAL.tag()).writeSignedVarLong(n.scale()).writeBlob(n.unscaledValue().toByteArray());
        return this;
    }

    public CanonicalWriter floating(double v) {
        if (dropped()) {
            return this;
        }
        // doubleToLongBits folds every NaN to one pattern; -0.0 and 0.0 stay distinct, as the databases keep them.
        sink.writeByte(LogicalType.FLOAT.tag()).writeLong(Double.doubleToLongBits(rule == null ? v : rule.floating(v)));
        return this;
    }

    public CanonicalWriter string(String v) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.STRING.tag()).writeBlob((rule == null ? v : rule.string(v)).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public CanonicalWriter bytes(byte[] v) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.BYTES.tag()).writeBlob(v);
        return this;
    }

    public CanonicalWriter date(long epochDay) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.DATE.tag()).writeSignedVarLong(epochDay);
        return this;
    }

    public CanonicalWriter time(long microsOfDay) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.TIME.tag()).writeSignedVarLong(microsOfDay);
        return this;
    }

    public CanonicalWriter localDateTime(long epochMicros) {
        if (dropped()) {
            return this;
        }
        if (rule != null && rule.zone() != null) {
            return timestamp(rule.instantMicros(epochMicros)); // read as an instant in the column's configured zone
        }
        sink.writeByte(LogicalType.LOCAL_DATE_TIME.tag()).writeSignedVarLong(epochMicros);
        return this;
    }

    public CanonicalWriter timestamp(long utcEpochMicros) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.TIMESTAMP.tag()).writeSignedVarLong(utcEpochMicros);
        return this;
    }

    /** A JSON document; canonicalised here so callers cannot forget to. */
    public CanonicalWriter json(String document) {
        if (dropped()) {
            return this;
        }
        sink.writeByte(LogicalType.JSON.tag()).writeString(CanonicalJson.canonicalize(document));
        return this;
    }

    public byte[] toByteArray() {
        return sink.toByteArray();
    }
}
