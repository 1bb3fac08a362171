package dev.parity.api.bench;

import dev.parity.ingest.local.LocalPair;
import java.util.List;

/**
 * A database pair and the write load the keep-up benches drive against its source: what differs between engines
 * (BENCHMARKS.md, "Keeping up on one core"). PostgreSQL: pgbench updating one random {@code pgbench_accounts} row per
 * transaction ({@link PgbenchLoad}); MariaDB and MySQL: sysbench {@code oltp_update_index} ({@link SysbenchLoad}).
 */
interface KeepUpLoad extends AutoCloseable {
    /** The pair and its load in words, for the report. */
    String describe();

    LocalPair pair();

    /** The user Parity connects as, on both sides. */
    String user();

    /** The watched table, qualified. */
    String table();

    /** The pair's server processes, to pin: each with every thread it has ({@code taskset -a}); what they fork later inherits it. */
    List<Long> serverPids() throws Exception;

    /** Creates and fills the table on the source and waits until replication has it all on the target. */
    void prepare() throws Exception;

    /** The load's command for {@code seconds}, at {@code rate} transactions a second, or unthrottled when {@code rate} is 0. */
    List<String> command(int seconds, long rate) throws Exception;

    /** The transactions a second the load's output reports. */
    double tps(String output);
}
