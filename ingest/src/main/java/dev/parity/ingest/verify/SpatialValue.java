package dev.parity.ingest.verify;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The canonical form of a spatial value (README, "Types across engines"): its SRID as four
 * little-endian bytes (0 when unset), then its OGC well-known binary. That is MySQL's and MariaDB's own
 * storage format, which their drivers return as the column's bytes and from which Debezium builds its
 * {@code Geometry}/{@code Point} structs ({@code wkb}, {@code srid}); a PostgreSQL {@code point} becomes
 * the little-endian WKB point Debezium builds for it, so a MariaDB POINT and a PostgreSQL point compare.
 */
public final class SpatialValue {
    private static final int WKB_POINT = 1;

    private SpatialValue() {
    }

    /** SRID (null: 0) and WKB as one byte string. */
    public static byte[] of(Integer srid, byte[] wkb) {
        ByteBuffer out = ByteBuffer.allocate(4 + wkb.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(srid == null ? 0 : srid);
        out.put(wkb);
        return out.array();
    }

    /** A 2-D point as little-endian WKB, as Debezium writes it for a PostgreSQL {@code point}. */
    public static byte[] pointWkb(double x, double y) {
        ByteBuffer wkb = ByteBuffer.allocate(21).order(ByteOrder.LITTLE_ENDIAN);
        wkb.put((byte) 1);
        wkb.putInt(WKB_POINT);
        wkb.putDouble(x);
        wkb.putDouble(y);
        return wkb.array();
    }
}
