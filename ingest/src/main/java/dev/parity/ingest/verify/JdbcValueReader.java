package dev.parity.ingest.verify;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.reconciler.canonical.CanonicalWriter;
import java.math.BigDecimal;
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
        return engine == Engine.POSTGRESQL ? postgres(column) : binlog(column);
    }

    private static JdbcValueReader postgres(ColumnInfo c) {
        return switch (c.family()) {
            case BOOLEAN -> (w, rs, i) -> {
                boolean v = rs.getBoolean(i);
                nullOr(w, rs, () -> w.bool(v));
            };
            case INTEGER -> (w, rs, i) -> {
                long v = rs.getLong(i);
                nullOr(w, rs, () -> w.integer(v));
            };
            case DECIMAL -> (w, rs, i) -> {
                BigDecimal v = rs.getBigDecimal(i);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.decimal(v);
                }
            };
            case FLOAT32 -> (w, rs, i) -> {
                float v = rs.getFloat(i);
                nullOr(w, rs, () -> w.floating(v));
            };
            case FLOAT64 -> (w, rs, i) -> {
                double v = rs.getDouble(i);
                nullOr(w, rs, () -> w.floating(v));
            };
            case STRING, CHAR, TEXT, UUID -> JdbcValueReader::string;
            case BINARY -> JdbcValueReader::bytes;
            case JSON -> JdbcValueReader::json;
            case DATE -> (w, rs, i) -> {
                LocalDate v = rs.getObject(i, LocalDate.class);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.date(v.toEpochDay());
                }
            };
            case TIME -> (w, rs, i) -> {
                LocalTime v = rs.getObject(i, LocalTime.class);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.time(v.toNanoOfDay() / 1_000L);
                }
            };
            case DATETIME -> (w, rs, i) -> {
                LocalDateTime v = rs.getObject(i, LocalDateTime.class);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.localDateTime(micros(v));
                }
            };
            case TIMESTAMP -> (w, rs, i) -> {
                OffsetDateTime v = rs.getObject(i, OffsetDateTime.class);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.timestamp(micros(v.atZoneSameInstant(ZoneOffset.UTC).toLocalDateTime()));
                }
            };
            default -> null; // bit strings, intervals, arrays, geometry...: not verified yet
        };
    }

    private static JdbcValueReader binlog(ColumnInfo c) {
        String type = c.nativeType();
        return switch (c.family()) {
            // Debezium's TinyIntOneToBooleanConverter: true exactly when the value is positive
            case BOOLEAN -> (w, rs, i) -> {
                long v = rs.getLong(i);
                nullOr(w, rs, () -> w.bool(v > 0));
            };
            case INTEGER -> type.startsWith("bigint") && type.contains("unsigned") ? (w, rs, i) -> {
                BigDecimal v = rs.getBigDecimal(i);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.decimal(v);
                }
            } : type.startsWith("year") ? (w, rs, i) -> {
                String v = rs.getString(i);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.integer(Long.parseLong(v.length() > 4 ? v.substring(0, 4) : v));
                }
            } : (w, rs, i) -> {
                long v = rs.getLong(i);
                nullOr(w, rs, () -> w.integer(v));
            };
            case DECIMAL -> (w, rs, i) -> {
                BigDecimal v = rs.getBigDecimal(i);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.decimal(v);
                }
            };
            case FLOAT32 -> (w, rs, i) -> {
                float v = rs.getFloat(i);
                nullOr(w, rs, () -> w.floating(v));
            };
            case FLOAT64 -> (w, rs, i) -> {
                double v = rs.getDouble(i);
                nullOr(w, rs, () -> w.floating(v));
            };
            case STRING, CHAR, TEXT, UUID -> JdbcValueReader::string;
            case BINARY -> JdbcValueReader::bytes;
            case JSON -> JdbcValueReader::json;
            case DATE -> (w, rs, i) -> {
                String v = rs.getString(i);
                if (v == null || v.startsWith("0000-00-00")) {
                    w.nullValue(); // zero dates arrive as NULL from the connector too
                } else {
                    w.date(LocalDate.parse(v.substring(0, 10)).toEpochDay());
                }
            };
            case TIME -> (w, rs, i) -> {
                String v = rs.getString(i);
                if (v == null) {
                    w.nullValue();
                } else {
                    w.time(binlogTimeMicros(v));
                }
            };
            // DATETIME: the local date-time as stored. TIMESTAMP: the session reads it in UTC (see TableScan).
            case DATETIME, TIMESTAMP -> (w, rs, i) -> {
                String v = rs.getString(i);
                if (v == null || v.startsWith("0000-00-00")) {
                    w.nullValue();
                } else if (c.family() == dev.parity.ingest.schema.TypeFamily.DATETIME) {
                    w.localDateTime(micros(LocalDateTime.parse(v, BINLOG_DATETIME)));
                } else {
                    w.timestamp(micros(LocalDateTime.parse(v, BINLOG_DATETIME)));
                }
            };
            default -> null; // BIT, geometry, ...: not verified yet
        };
    }

    private static void string(CanonicalWriter w, ResultSet rs, int i) throws SQLException {
        String v = rs.getString(i);
        if (v == null) {
            w.nullValue();
        } else {
            w.string(v);
        }
    }

    private static void bytes(CanonicalWriter w, ResultSet rs, int i) throws SQLException {
        byte[] v = rs.getBytes(i);
        if (v == null) {
            w.nullValue();
        } else {
            w.bytes(v);
        }
    }

    private static void json(CanonicalWriter w, ResultSet rs, int i) throws SQLException {
        String v = rs.getString(i);
        if (v == null) {
            w.nullValue();
        } else {
            w.json(v);
        }
    }

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
