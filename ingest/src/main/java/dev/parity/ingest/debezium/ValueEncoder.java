package dev.parity.ingest.debezium;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.ingest.verify.SpatialValue;
import dev.parity.reconciler.canonical.CanonicalWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Maps one Debezium/Connect value onto the engine-neutral canonical encoding, by the Connect schema's
 * logical name first (Debezium's semantic types) and its physical type second. This is the only place
 * that knows how each connector represents a type; README's type table documents the result.
 */
final class ValueEncoder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ValueEncoder.class);
    /** Logical types already warned about. */
    private static final java.util.Set<String> UNEXPECTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ValueEncoder() {
    }

    static void write(CanonicalWriter w, Schema schema, Object value) {
        if (value == null) {
            w.nullValue();
            return;
        }
        String logical = schema.name();
        try {
            if (logical != null && writeLogical(w, logical, schema, value)) {
                return;
            }
        } catch (RuntimeException e) {
            // A value of a known type in a form not seen before must not stop the capture (it would fail the
            // same record on every restart): compared as its text on both sides, and said once per type.
            if (UNEXPECTED.add(logical)) {
                LOG.warn("a {} value came in a form Parity does not decode ({}): such values are compared as their text", logical,
                        e.toString());
            }
            w.string(String.valueOf(value));
            return;
        }
        switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> w.integer(((Number) value).longValue());
            case FLOAT32 -> w.floating(((Float) value).doubleValue());
            case FLOAT64 -> w.floating((Double) value);
            case BOOLEAN -> w.bool((Boolean) value);
            case STRING -> w.string((String) value);
            case BYTES -> w.bytes(bytes(value));
            case ARRAY, MAP, STRUCT -> w.json(toJson(value));
            default -> throw new IllegalArgumentException("unsupported Connect type " + schema.type());
        }
    }

    private static boolean writeLogical(CanonicalWriter w, String logical, Schema schema, Object value) {
        switch (logical) {
            case "org.apache.kafka.connect.data.Decimal" -> w.decimal((BigDecimal) value);
            case "io.debezium.data.VariableScaleDecimal" -> {
                Struct s = (Struct) value;
                w.decimal(new BigDecimal(new BigInteger(bytes(s.get("value"))), s.getInt32("scale")));
            }
            case "io.debezium.time.Date" -> w.date(((Number) value).longValue());
            case "org.apache.kafka.connect.data.Date" -> w.date(Math.floorDiv(((java.util.Date) value).getTime(), 86_400_000L));
            case "io.debezium.time.Time" -> w.time(((Number) value).longValue() * 1_000L);
            case "io.debezium.time.MicroTime" -> w.time(((Number) value).longValue());
            case "io.debezium.time.NanoTime" -> w.time(((Number) value).longValue() / 1_000L);
            case "io.debezium.time.Timestamp" -> w.localDateTime(((Number) value).longValue() * 1_000L);
            case "io.debezium.time.MicroTimestamp" -> w.localDateTime(((Number) value).longValue());
            case "io.debezium.time.NanoTimestamp" -> w.localDateTime(Math.floorDiv(((Number) value).longValue(), 1_000L));
            case "org.apache.kafka.connect.data.Timestamp" -> w.localDateTime(((java.util.Date) value).getTime() * 1_000L);
            case "io.debezium.time.ZonedTimestamp" -> w.timestamp(utcMicros((String) value));
            case "io.debezium.data.Json" -> w.json((String) value);
            case "io.debezium.data.Bits" -> w.bytes(bytes(value));
            case "io.debezium.data.geometry.Geometry", "io.debezium.data.geometry.Point" -> {
                Struct s = (Struct) value;
                Object wkb = s.get("wkb");
                byte[] b = wkb != null ? bytes(wkb) : SpatialValue.pointWkb(s.getFloat64("x"), s.getFloat64("y"));
                w.bytes(SpatialValue.of(s.getInt32("srid"), b));
            }
            case "io.debezium.time.Interval" -> {
                String text = value instanceof String iso ? dev.parity.ingest.verify.JdbcValueReader.intervalText(iso) : null;
                if (text == null) {
                    return false; // not interval.handling.mode: string
                }
                w.string(text);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** ISO-8601 with offset ({@code …59Z} or {@code …59.000Z}) to UTC micros: never compare the strings. */
    static long utcMicros(String iso) {
        Instant i;
        try {
            i = Instant.parse(iso);
        } catch (DateTimeParseException e) {
            i = OffsetDateTime.parse(iso).toInstant();
        }
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000L);
    }

    static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        ByteBuffer buf = ((ByteBuffer) value).duplicate();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(plain(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot render value as JSON", e);
        }
    }

    private static Object plain(Object value) {
        if (value instanceof Struct s) {
            java.util.Map<String, Object> m = new java.util.TreeMap<>();
            for (var f : s.schema().fields()) {
                m.put(f.name(), plain(s.get(f)));
            }
            return m;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(o -> out.add(plain(o)));
            return out;
        }
        if (value instanceof ByteBuffer || value instanceof byte[]) {
            return java.util.Base64.getEncoder().encodeToString(bytes(value));
        }
        return value;
    }
}
