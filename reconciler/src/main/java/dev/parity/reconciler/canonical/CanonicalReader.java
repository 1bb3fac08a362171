package dev.parity.reconciler.canonical;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes canonical keys back into display values, so that the API can show {@code {"id": 42}}
 * without Parity storing the key twice. Values become JSON-friendly Java objects: numbers,
 * booleans, strings; temporal values as ISO-8601 text, bytes as base64.
 */
public final class CanonicalReader {
    private CanonicalReader() {
    }

    /** The mapped table id that a canonical key starts with. */
    public static String tableOf(byte[] key) {
        return new ByteSource(key).readString();
    }

    /**
     * Whether the key is a whole canonical row with no key columns (the table id, the zero byte, every
     * column): the key of a row of a table without key, identified by its content.
     */
    public static boolean isContentKey(byte[] key) {
        ByteSource in = new ByteSource(key).skipBlob();
        return in.hasRemaining() && in.peekByte() == 0;
    }

    /** The key's columns in canonical order, as display values (a content key: every column of its row). */
    public static Map<String, Object> keyColumns(byte[] key) {
        ByteSource in = new ByteSource(key);
        in.readString();
        if (in.hasRemaining() && in.peekByte() == 0) {
            in.readByte();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            String name = in.readString();
            out.put(name, readValue(in));
        }
        return out;
    }

    /**
     * The row columns of a whole canonical row (table, key, the zero byte, then every column), each
     * decoded, in canonical order.
     */
    public static Map<String, CanonicalValue> rowValues(byte[] canonical) {
        ByteSource in = new ByteSource(canonical);
        in.readString();
        while (in.hasRemaining() && in.peekByte() != 0) {
            in.readString();
            readTyped(in);
        }
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("a key without its row");
        }
        in.readByte();
        Map<String, CanonicalValue> out = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            String name = in.readString();
            out.put(name, readTyped(in));
        }
        return out;
    }

    /** One value with its type, undisplayed. */
    static CanonicalValue readTyped(ByteSource in) {
        LogicalType type = LogicalType.ofTag(in.readByte());
        Object v = switch (type) {
            case NULL -> null;
            case BOOLEAN -> in.readByte() != 0;
            case INTEGER, FLOAT -> type == LogicalType.INTEGER ? (Object) in.readLong() : (Object) Double.longBitsToDouble(in.readLong());
            case BIG_INTEGER -> new BigInteger(in.readBlob());
            case DECIMAL -> {
                int scale = (int) in.readSignedVarLong();
                yield new BigDecimal(new BigInteger(in.readBlob()), scale);
            }
            case STRING, JSON -> in.readString();
            case BYTES -> in.readBlob();
            case DATE, TIME, LOCAL_DATE_TIME, TIMESTAMP -> in.readSignedVarLong();
        };
        return type == LogicalType.NULL ? CanonicalValue.NULL : new CanonicalValue(type, v);
    }

    /** One value as a display value (see {@link CanonicalValue#display()}). */
    static Object readValue(ByteSource in) {
        return readTyped(in).display();
    }

}
