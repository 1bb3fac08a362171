package dev.parity.ingest.local;

import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.SQLException;

/** Two real servers on this machine with native replication from source to target: the demo's, the bench's, the tests'. */
public interface LocalPair extends AutoCloseable {
    String sourceUrl();

    String targetUrl();

    Connection source() throws SQLException;

    Connection target() throws SQLException;

    /** Runs a query on one side, reading every row, and returns how long it took in seconds. */
    default double timeQuery(Side side, String sql) throws SQLException {
        return LocalSql.timeQuery(side == Side.SOURCE ? source() : target(), sql);
    }

    /** Rows of a table on one side; -1 while the table does not exist there. */
    default long count(Side side, String table) {
        try {
            return LocalSql.count(side == Side.SOURCE ? source() : target(), table);
        } catch (SQLException e) {
            return -1;
        }
    }
}
