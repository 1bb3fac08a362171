package dev.parity.ingest.local;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The few statements the demo and the bench run against their local servers. */
final class LocalSql {
    private LocalSql() {
    }

    /** Runs a query on (and then closes) {@code connection}, reading every row; seconds it took. */
    static double timeQuery(Connection connection, String sql) throws SQLException {
        try (Connection c = connection; Statement st = c.createStatement()) {
            long t = System.nanoTime();
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    rs.getString(rs.getMetaData().getColumnCount());
                }
            }
            return (System.nanoTime() - t) / 1e9;
        }
    }

    static long count(Connection connection, String table) throws SQLException {
        try (Connection c = connection; Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
