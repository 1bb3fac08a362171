package dev.parity.api;

import dev.parity.ingest.local.MySqlPair;
import org.junit.jupiter.api.Test;

/**
 * {@link CrashRestartIT} on a MySQL pair (GTID replication; binlog positions in the capture's offsets), under the default
 * guarantee: SIGKILL mid-load and mid-stream, the same verdicts after each restart. A class of its own so that the suite
 * runs it beside the PostgreSQL cases, not after them (each case takes minutes).
 */
class CrashRestartOnMySqlIT {
    private static final int ROWS = 100_000; // enough pages to catch the load mid-way; the rest is the same path

    @Test
    void shouldReachTheSameVerdictsAfterSigkillOnMySql() throws Exception {
        try (MySqlPair db = MySqlPair.start("shop")) {
            ReplicatedWrites.itemsTable(db, ROWS);
            CrashRestartIT.crashTwice(db, "root", "shop.items", "exactly_once_v2", ROWS);
        }
    }
}
