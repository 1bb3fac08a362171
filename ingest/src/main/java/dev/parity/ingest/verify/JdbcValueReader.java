package dev.parity.ingest.verify;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.reconciler.canonical.CanonicalWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Reads one column through JDBC and writes the canonical value the Debezium path writes for it
 * ({@code debezium.ValueEncoder} under Parity's connector settings: precise decimals, adaptive
 * microsecond times, bytes, TINYINT(1) as boolean). The two paths must agree byte for byte, or the
 * sweep would report every row: {@code SweepIT} hashes every row of a table of every comparable type
 * both ways. A type without a verified reading here is refused, and the sweep says so per table.
 */
@FunctionalInterface
public interface JdbcValueReader {
    /** Datetime text as MySQL and MariaDB print it: {@code 2024-01-31 23:59:59[.ffffff]}. */
    DateTimeFormatter BINLOG_DATETIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().toFormatter();

    void write(CanonicalWriter w, ResultSet rs, int index) throws SQLException;

    /** The reader for a column on an engine; null when Parity cannot yet read that type to the same value. */
    static JdbcValueReader of(Engine engine, ColumnInfo column) {
        JdbcValueReader specific = engine == Engine.POSTGRESQL ? postgres(column) : binlog(column);
        return specific != null ? specific : common(column);
    }

    /** Families both engines' drivers read to the same canonical value. */
    private static JdbcValueReader common(ColumnInfo c) {
        return switch (c.family()) {
            case INTEGER -> (w, rs, i) -> {
                long v = rs.getLong(i);
                nullOr(w, rs, () -> w.integer(v));
            };
            case DECIMAL -> read(ResultSet::getBigDecimal, CanonicalWriter::decimal);
            case FLOAT32 -> (w, rs, i) -> {
                float v = rs.getFloat(i);
                nullOr(w, rs, () -> w.floating(v));
            };
            case FLOAT64 -> (w, rs, i) -> {
                double v = rs.getDouble(i);
                nullOr(w, rs, () -> w.floating(v));
            };
            case STRING, CHAR, TEXT, UUID -> read(ResultSet::getString, CanonicalWriter::string);
            case BINARY -> read(ResultSet::getBytes, CanonicalWriter::bytes);
            case JSON -> read(ResultSet::getString, CanonicalWriter::json);
            default -> null; // bit strings, other arrays, geometry...: not verified yet
        };
    }

    /** PostgreSQL's driver: typed java.time reads; network addresses, intervals and one-dimensional arrays by their types. */
    private static JdbcValueReader postgres(ColumnInfo c) {
        switch (c.nativeType()) {
            // Debezium sends these as PostgreSQL prints them, as the driver reads them
            case "inet", "cidr", "macaddr", "macaddr8" -> {
                return read(ResultSet::getString, CanonicalWriter::string);
            }
            case "interval" -> {
                return read((rs, i) -> (org.postgresql.util.PGInterval) rs.getObject(i), (w, v) -> w.string(intervalText(
                        v.getYears() * 12L + v.getMonths(), v.getDays(),
                        ((v.getHours() * 60L + v.getMinutes()) * 60L + v.getWholeSeconds()) * 1_000_000L + v.getMicroSeconds())));
            }
            case "int4range", "int8range", "numrange", "daterange", "tsrange", "tstzrange" -> {
                // Debezium sends a range as PostgreSQL prints it; both reads share one session time zone (this JVM's)
                return read(ResultSet::getString, CanonicalWriter::string);
            }
            case "point" -> {
                return read((rs, i) -> (org.postgresql.geometric.PGpoint) rs.getObject(i),
                        (w, p) -> w.bytes(SpatialValue.of(null, SpatialValue.pointWkb(p.x, p.y))));
            }
            case "bit varying" -> {
                return read(ResultSet::getString, (w, v) -> w.bytes(bitStringBytes(v)));
            }
            case "bit" -> {
                // Debezium: bit(1) is a boolean; wider, its bits little-endian, the rightmost first, up to the highest one set
                return c.length() != null && c.length() == 1 ? read(ResultSet::getString, (w, v) -> w.bool("1".equals(v)))
                        : read(ResultSet::getString, (w, v) -> w.bytes(bitStringBytes(v)));
            }
            case "_int2", "_int4", "_int8", "_text", "_varchar" -> {
                return read((rs, i) -> rs.getArray(i), (w, a) -> {
                    try {
                        w.json(ARRAYS.writeValueAsString(a.getArray()));
                    } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("cannot read array column " + c.name() + ": " + e.getMessage(), e);
                    }
                });
            }
            default -> {
                // fall through to the families
            }
        }
        return switch (c.family()) {
            case BOOLEAN -> (w, rs, i) -> {
                boolean v = rs.getBoolean(i);
                nullOr(w, rs, () -> w.bool(v));
            };
            case DATE -> read((rs, i) -> rs.getObject(i, LocalDate.class), (w, v) -> w.date(v.toEpochDay()));
            case TIME -> read((rs, i) -> rs.getObject(i, LocalTime.class), (w, v) -> w.time(v.toNanoOfDay() / 1_000L));
            case DATETIME -> read((rs, i) -> rs.getObject(i, LocalDateTime.class), (w, v) -> w.localDateTime(micros(v)));
            case TIMESTAMP -> read((rs, i) -> rs.getObject(i, OffsetDateTime.class),
                    (w, v) -> w.timestamp(micros(v.atZoneSameInstant(ZoneOffset.UTC).toLocalDateTime())));
            default -> null;
        };
    }

    /** A PostgreSQL bit string ({@code 0101}) as the connector sends it: a BitSet of it, the last character bit 0, as bytes. */
    static byte[] bitStringBytes(String bits) {
        java.util.BitSet set = new java.util.BitSet(bits.length());
        for (int i = bits.length() - 1; i >= 0; i--) {
            if (bits.charAt(i) == '1') {
                set.set(bits.length() - i - 1);
            }
        }
        return set.toByteArray();
    }

    /** A MySQL/MariaDB BIT(n) as the connector sends it: little-endian, the driver's big-endian bytes reversed. */
    static byte[] littleEndian(byte[] bigEndian) {
        byte[] out = new byte[bigEndian.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }

    /**
     * MySQL's and MariaDB's drivers: temporal values as text (no driver time-zone conversion; the scan's
     * session is UTC, so TIMESTAMP prints as a UTC instant), zero dates as NULL as the connector does.
     */
    private static JdbcValueReader binlog(ColumnInfo c) {
        String type = c.nativeType();
        return switch (c.family()) {
            // Debezium's TinyIntOneToBooleanConverter: true exactly when the value is positive
            case BOOLEAN -> (w, rs, i) -> {
                long v = rs.getLong(i);
                nullOr(w, rs, () -> w.bool(v > 0));
            };
            case INTEGER -> type.startsWith("bigint") && type.contains("unsigned") ? read(ResultSet::getBigDecimal, CanonicalWriter::decimal)
                    : type.startsWith("year") ? read(ResultSet::getString, (w, v) -> w.integer(Long.parseLong(v.length() > 4 ? v.substring(0, 4) : v)))
                    : null;
            // Debezium: BIT(1) is a boolean, BIT(n) its bytes little-endian
            case BITS -> type.equals("bit(1)") ? (w, rs, i) -> {
                boolean v = rs.getBoolean(i);
                nullOr(w, rs, () -> w.bool(v));
            } : read(ResultSet::getBytes, (w, v) -> w.bytes(littleEndian(v)));
            // the driver returns the stored bytes: SRID then WKB, the canonical form itself
            case GEOMETRY -> read(ResultSet::getBytes, CanonicalWriter::bytes);
            case DATE -> read(JdbcValueReader::nonZeroText, (w, v) -> w.date(LocalDate.parse(v.substring(0, 10)).toEpochDay()));
            case TIME -> read(ResultSet::getString, (w, v) -> w.time(binlogTimeMicros(v)));
            case DATETIME -> read(JdbcValueReader::nonZeroText, (w, v) -> w.localDateTime(micros(LocalDateTime.parse(v, BINLOG_DATETIME))));
            case TIMESTAMP -> read(JdbcValueReader::nonZeroText, (w, v) -> w.timestamp(micros(LocalDateTime.parse(v, BINLOG_DATETIME))));
            default -> null;
        };
    }

    /** Arrays as JSON lists, as the Debezium path writes an ARRAY value. */
    com.fasterxml.jackson.databind.ObjectMapper ARRAYS = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * A PostgreSQL interval as compared: its months, days and microseconds (the three fields PostgreSQL
     * stores; {@code 1 year} is 12 months, {@code 1 hour} 3,600,000,000 µs), as {@code P14M3DT14706.78S}.
     * Both the connector's ISO text and the driver's PGInterval come to this one form.
     */
    static String intervalText(long months, long days, long micros) {
        return "P" + months + "M" + days + "DT" + java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString() + "S";
    }

    /** The same from the connector's {@code interval.handling.mode: string} text, {@code P1Y2M3DT4H5M6.78S}; null if not of that form. */
    static String intervalText(String iso) {
        java.util.regex.Matcher m = ISO_INTERVAL.matcher(iso);
        if (!m.matches()) {
            return null;
        }
        try {
            long months = Long.parseLong(m.group(1)) * 12 + Long.parseLong(m.group(2));
            // The connector's seconds come through a double (0.14285700000000001): PostgreSQL keeps microseconds, so round to them.
            long micros = new java.math.BigDecimal(m.group(6)).add(java.math.BigDecimal.valueOf((Long.parseLong(m.group(4)) * 60
                    + Long.parseLong(m.group(5))) * 60)).movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
            return intervalText(months, Long.parseLong(m.group(3)), micros);
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    java.util.regex.Pattern ISO_INTERVAL = java.util.regex.Pattern.compile("P(-?\\d+)Y(-?\\d+)M(-?\\d+)DT(-?\\d+)H(-?\\d+)M(-?[\\d.]+)S");

    /** A column as text, with MySQL's zero dates ({@code 0000-00-00...}) read as NULL. */
    private static String nonZeroText(ResultSet rs, int i) throws SQLException {
        String v = rs.getString(i);
        return v == null || v.startsWith("0000-00-00") ? null : v;
    }

    @FunctionalInterface
    interface Getter<T> {
        T get(ResultSet rs, int index) throws SQLException;
    }

    /** Reads an object-typed value; NULL when the driver returns null, else writes it. */
    private static <T> JdbcValueReader read(Getter<T> getter, java.util.function.BiConsumer<CanonicalWriter, T> write) {
        return (w, rs, i) -> {
            T v = getter.get(rs, i);
            if (v == null) {
                w.nullValue();
            } else {
                write.accept(w, v);
            }
        };
    }

    /** For primitive reads, where NULL shows only through {@code wasNull()}. */
    private static void nullOr(CanonicalWriter w, ResultSet rs, Runnable write) throws SQLException {
        if (rs.wasNull()) {
            w.nullValue();
        } else {
            write.run();
        }
    }

    static long micros(LocalDateTime t) {
        return Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000L), t.getNano() / 1_000L);
    }

    /** MySQL/MariaDB TIME text, which may be negative or beyond 24 hours: {@code -838:59:59.000000}. */
    static long binlogTimeMicros(String v) {
        boolean negative = v.startsWith("-");
        String s = negative ? v.substring(1) : v;
        String[] hms = s.split(":");
        String[] secFrac = hms[2].split("\\.");
        long micros = (Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(secFrac[0])) * 1_000_000L;
        if (secFrac.length > 1) {
            String f = (secFrac[1] + "000000").substring(0, 6);
            micros += Long.parseLong(f);
        }
        return negative ? -micros : micros;
    }
}
