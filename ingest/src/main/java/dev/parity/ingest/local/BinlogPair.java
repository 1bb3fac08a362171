package dev.parity.ingest.local;

import dev.parity.ingest.engine.Engine;
import java.sql.SQLException;

/**
 * Two real MySQL or MariaDB servers on this machine, the target a GTID replica of the source with ROW binlogs and
 * {@code log_replica_updates} on: what the demo, the bench and the tests run a binlog engine's cutover on. The
 * statements tests write against one run unchanged on both engines (see {@link #seq}).
 */
public interface BinlogPair extends LocalPair {
    /** {@link Engine#MYSQL} or {@link Engine#MARIADB}. */
    Engine engine();

    /** Runs statements on the source; replication carries them (DDL included) to the target. */
    void onSource(String... sql) throws SQLException;

    /** Runs statements on the target directly, bypassing replication (they are in the target's binlog). */
    void onTarget(String... sql) throws SQLException;

    /** Stops or starts the replica's applier ({@code STOP REPLICA} / {@code STOP SLAVE}). */
    void setReplicationRunning(boolean running) throws SQLException;

    /**
     * Starts a pair of {@code engine} with {@code database} created (it replicates).
     *
     * @param targetArgs extra server options for the replica; a later option overrides an earlier one
     */
    static BinlogPair start(Engine engine, String database, String... targetArgs) {
        return switch (engine) {
            case MYSQL -> MySqlPair.start(database, targetArgs);
            case MARIADB -> MariaDbPair.start(database, targetArgs);
            case POSTGRESQL -> throw new IllegalArgumentException("PostgreSQL has no binlog: use PostgresPair");
        };
    }

    /** {@link #start}, with privileges enforced for every user but the pair's own root (least-privilege tests). */
    static BinlogPair startWithGrants(Engine engine, String database) {
        return engine == Engine.MYSQL ? MySqlPair.start(database) : MariaDbPair.startWithGrants(database);
    }

    /**
     * A derived table of the integers 1 to {@code n} in a column {@code seq}, as both engines read it (MariaDB's
     * {@code seq_1_to_N} tables do not exist on MySQL): {@code INSERT INTO t SELECT seq, ... FROM } + {@code seq(1000)}.
     * The pairs allow recursion that deep.
     */
    static String seq(long n) {
        return "(WITH RECURSIVE seq_(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM seq_ WHERE seq < " + n + ") SELECT seq FROM seq_) AS seq_" + n;
    }
}
