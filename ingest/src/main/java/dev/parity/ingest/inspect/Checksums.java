package dev.parity.ingest.inspect;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-database checksum each engine offers for a whole table ({@code CHECKSUM TABLE} on MySQL/MariaDB,
 * an md5 aggregate in key order on PostgreSQL), timed: the baseline {@code parity bench} compares
 * Parity's first verdict with. Read-only.
 */
public final class Checksums {
    /** One table's checksum on one side and how long the database took. */
    public record Timing(String table, Side side, double seconds, String method) {
    }

    private Checksums() {
    }

    /** Times the checksum of every table on both sides, source first. */
    public static List<Timing> time(Databases databases, List<PlannedTable> tables) throws SQLException {
        List<Timing> out = new ArrayList<>();
        for (Side side : Side.values()) {
            SideDatabase db = databases.of(side);
            Engine engine = db.engine();
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                for (PlannedTable t : tables) {
                    String name = t.name(side);
                    String sql = engine.isBinlog() ? "CHECKSUM TABLE " + quoted(engine, name)
                            : "SELECT md5(string_agg(md5(x::text), '' ORDER BY " + String.join(", ", t.key().stream().map(k -> "\"" + k + "\"").toList())
                                    + ")) FROM " + quoted(engine, name) + " x";
                    long t0 = System.nanoTime();
                    try (ResultSet rs = st.executeQuery(sql)) {
                        rs.next();
                    }
                    out.add(new Timing(name, side, (System.nanoTime() - t0) / 1e9, engine.isBinlog() ? "CHECKSUM TABLE" : "md5 aggregate"));
                }
            }
        }
        return out;
    }

    private static String quoted(Engine engine, String qualified) {
        int dot = qualified.indexOf('.');
        String q = engine.isBinlog() ? "`" : "\"";
        return q + qualified.substring(0, dot) + q + "." + q + qualified.substring(dot + 1) + q;
    }
}
