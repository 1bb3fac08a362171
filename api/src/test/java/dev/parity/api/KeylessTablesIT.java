package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tables without a key, compared as multisets of whole rows on real replicated pairs: pgbench's own
 * schema (its {@code pgbench_history} has no key) on PostgreSQL, a log table on MariaDB. Rows repeat;
 * drift made on the target before start (a copy too many, a copy too few, a row gone, a row changed)
 * comes out with each side's exact count; replicated UPDATEs and DELETEs of one of several equal rows
 * raise no alarm, by the stream or by the sweep re-reading and re-counting (on, continuous); once the
 * drift is undone every table, the keyless one included, is IN_SYNC.
 */
class KeylessTablesIT {
    private static final String HISTORY = "CREATE TABLE pgbench_history (tid INT, bid INT, aid INT, delta INT, mtime TIMESTAMP, filler CHAR(22))";

    @Test
    void shouldVerifyPgbenchsOwnSchemaHistoryTableIncludedByCountingCopies() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            // pgbench -i's tables, primary keys as its default init steps create them; the history table has none.
            pg.ddl("CREATE TABLE pgbench_branches (bid INT NOT NULL PRIMARY KEY, bbalance INT, filler CHAR(88))",
                    "CREATE TABLE pgbench_tellers (tid INT NOT NULL PRIMARY KEY, bid INT, tbalance INT, filler CHAR(84))",
                    "CREATE TABLE pgbench_accounts (aid INT NOT NULL PRIMARY KEY, bid INT, abalance INT, filler CHAR(84))", HISTORY,
                    // What Parity asks for (and the user's replication of UPDATEs and DELETEs needs): the whole old row.
                    "ALTER TABLE pgbench_history REPLICA IDENTITY FULL", HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO pgbench_branches SELECT g, 0, NULL FROM generate_series(1, 2) g",
                    "INSERT INTO pgbench_tellers SELECT g, 1 + g % 2, 0, NULL FROM generate_series(1, 20) g",
                    "INSERT INTO pgbench_accounts SELECT g, 1 + g % 2, 0, '' FROM generate_series(1, 2000) g",
                    history("generate_series(1, 300) g"),
                    history("generate_series(1, 10) g"), history("generate_series(1, 10) g")); // aid 1..10: three copies each
            pg.replicate("kl");
            ParityProbe.awaitRows(pg::target, "pgbench_history", 320);
            pg.onTarget("INSERT INTO pgbench_history SELECT * FROM pgbench_history WHERE aid = 1 LIMIT 1",
                    "DELETE FROM pgbench_history WHERE ctid = (SELECT ctid FROM pgbench_history WHERE aid = 2 LIMIT 1)",
                    "DELETE FROM pgbench_history WHERE aid = 20",
                    "UPDATE pgbench_history SET delta = -300 WHERE aid = 30");
            try (Parity p = start(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.*", "kl-pg", "10s")) {
                assertThat(ParityProbe.table(p, "public.pgbench_history")).containsEntry("key", List.of()).containsEntry("verified", true);
                assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("PARITY for 3 table(s), DEBEZIUM (the connectors' snapshot) for 1")
                        .contains("public.pgbench_history: no key");
                awaitCopies(p, "public.pgbench_history", 320, 319, INJECTED);
                // pgbench's transaction, and one of three equal rows updated, one deleted: all replicated.
                for (int i = 1; i <= 40; i++) {
                    pg.onSource("UPDATE pgbench_accounts SET abalance = abalance + " + i + " WHERE aid = " + (i * 37),
                            "UPDATE pgbench_tellers SET tbalance = tbalance + " + i + " WHERE tid = " + (1 + i % 20),
                            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (" + (1 + i % 20) + ", " + (1 + i % 2) + ", "
                                    + (i * 37) + ", " + i + ", TIMESTAMP '2024-02-01 00:00:00')");
                }
                pg.onSource("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 37, 1, TIMESTAMP '2024-02-01 00:00:00')",
                        "UPDATE pgbench_history SET delta = -3 WHERE ctid = (SELECT ctid FROM pgbench_history WHERE aid = 3 LIMIT 1)",
                        "DELETE FROM pgbench_history WHERE ctid = (SELECT ctid FROM pgbench_history WHERE aid = 4 LIMIT 1)");
                ParityProbe.awaitRows(pg::target, "pgbench_history", 319 + 41 - 1);
                awaitCopies(p, "public.pgbench_history", 320 + 41 - 1, 319 + 41 - 1, INJECTED);
                assertRowValuesNeedTheToken(p, "public.pgbench_history");
                // A sweep round re-counts both sides' copies by reading the table whole: it agrees with the streams' counts.
                assertThat(ParityProbe.sweep(p)).filteredOn(r -> r.table().equals("public.pgbench_history")).hasSize(2).allSatisfy(r -> {
                    assertThat(r.complete()).as(r.toString()).isTrue();
                    assertThat(r.observations() + r.absent()).as(r.toString()).isZero();
                    assertThat(r.rowsMatched()).as(r.toString()).isEqualTo(r.rowsRead()).isPositive();
                });
                awaitCopies(p, "public.pgbench_history", 320 + 41 - 1, 319 + 41 - 1, INJECTED);
                // Undo the drift on the target: every table of pgbench's schema IN_SYNC, none unverified.
                pg.onTarget("DELETE FROM pgbench_history WHERE ctid = (SELECT ctid FROM pgbench_history WHERE aid = 1 LIMIT 1)",
                        "INSERT INTO pgbench_history SELECT * FROM pgbench_history WHERE aid = 2 LIMIT 1",
                        history("generate_series(20, 20) g"), "UPDATE pgbench_history SET delta = 300 WHERE aid = 30");
                ParityProbe.awaitInSync(p);
                assertThat((List<?>) ParityProbe.status(p).get("tables")).extracting(t -> ((Map<?, ?>) t).get("table") + " " + ((Map<?, ?>) t).get("state"))
                        .containsExactlyInAnyOrder("public.pgbench_accounts IN_SYNC", "public.pgbench_branches IN_SYNC",
                                "public.pgbench_history IN_SYNC", "public.pgbench_tellers IN_SYNC");
            }
        }
    }

    /**
     * The drift made on the target before Parity starts, as "aid kind sourceCopies/targetCopies detectedBy":
     * a table without key is counted from the connectors' snapshot, whose rows come through the streams.
     */
    private static final List<String> INJECTED = List.of("1 MISMATCH 3/4 CHANGE_STREAM", "2 MISMATCH 3/2 CHANGE_STREAM",
            "20 MISSING_ON_TARGET 1/0 CHANGE_STREAM", "30 MISSING_ON_TARGET 1/0 CHANGE_STREAM", "30 EXTRA_ON_TARGET 0/1 CHANGE_STREAM");

    /** History rows, one per value of {@code g} in {@code from} (a PostgreSQL set-returning source). */
    private static String history(String from) {
        return "INSERT INTO pgbench_history SELECT 1 + g % 20, 1 + g % 2, g, g * 10, TIMESTAMP '2024-01-01 00:00:00' + g * INTERVAL '1 minute', NULL FROM " + from;
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldCountEqualRowsOfAKeylessBinlogTableExactly(Engine engine) throws Exception {
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            db.onSource(// sysbench prepare's table, beside the keyless one: every table of the schema verified
                    "CREATE TABLE shop.sbtest1 (id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL,"
                            + " pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id), KEY k_1 (k))",
                    "INSERT INTO shop.sbtest1 (k, c, pad) SELECT seq % 100, REPEAT('c', 119), REPEAT('p', 59) FROM " + BinlogPair.seq(1000),
                    "CREATE TABLE shop.log (aid INT, delta INT, note VARCHAR(20))",
                    "INSERT INTO shop.log SELECT seq, seq * 10, NULL FROM " + BinlogPair.seq(300),
                    "INSERT INTO shop.log SELECT seq, seq * 10, NULL FROM " + BinlogPair.seq(10), "INSERT INTO shop.log SELECT seq, seq * 10, NULL FROM " + BinlogPair.seq(10));
            ParityProbe.awaitRows(db::target, "shop.log", 320);
            ParityProbe.awaitRows(db::target, "shop.sbtest1", 1000);
            db.onTarget("SET sql_log_bin = 0", "INSERT INTO shop.log VALUES (1, 10, NULL)", "DELETE FROM shop.log WHERE aid = 2 LIMIT 1",
                    "DELETE FROM shop.log WHERE aid = 20", "UPDATE shop.log SET delta = -300 WHERE aid = 30");
            try (Parity p = start(db.sourceUrl(), db.targetUrl(), "root", "shop.*", "kl-maria", "1h")) {
                awaitCopies(p, "shop.log", 320, 319, INJECTED);
                // The connectors' snapshot read the table whole on each side: the gate's reread check passes on it, no sweep round needed.
                // (awaited: the copies can be counted a moment before the capture reports its snapshot finished)
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    var report = ParityProbe.readiness(p, "secret", "");
                    assertThat(ParityProbe.check(report, "reread").path("status").asText()).as(report.toString()).isEqualTo("PASS");
                    assertThat(ParityProbe.check(report, "reread").path("detail").asText()).contains("connectors' snapshot");
                });
                assertThat(p.sweeper().completedRounds()).as("no sweep round yet").isZero();
                db.onSource("UPDATE shop.log SET delta = -3 WHERE aid = 3 LIMIT 1", "DELETE FROM shop.log WHERE aid = 4 LIMIT 1",
                        "INSERT INTO shop.log VALUES (5, 50, NULL)");
                ParityProbe.awaitRows(db::target, "shop.log", 319);
                db.onTarget("INSERT INTO shop.log VALUES (6, 60, NULL)"); // logged on the target alone: found by its stream
                awaitCopies(p, "shop.log", 320, 320, java.util.stream.Stream.concat(INJECTED.stream(),
                        java.util.stream.Stream.of("6 MISMATCH 3/4 CHANGE_STREAM")).toList());
                assertThat((List<?>) ParityProbe.status(p).get("tables")).extracting(t -> ((Map<?, ?>) t).get("table") + " " + ((Map<?, ?>) t).get("state"))
                        .containsExactlyInAnyOrder("shop.log DIVERGENT", "shop.sbtest1 IN_SYNC");
            }
        }
    }

    private static Parity start(String source, String target, String user, String include, String name, String verifyInterval) throws Exception {
        return Parity.start(ConfigLoader.parse(String.format("""
                name: kl
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                snapshot: {method: parity}
                verify: {interval: %s}
                api: {port: 0, token: secret}
                state: {dir: "%s"}
                """, source, user, target, user, include, verifyInterval, Files.createTempDirectory("parity-" + name)), name, Map.of()));
    }

    /** Exactly these differences (by the row's aid), and each side's rows (copies, not distinct rows) in the reconciler. */
    private static void awaitCopies(Parity p, String table, long sourceRows, long targetRows, List<String> expected) {
        await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(divergences(p, table, true)).extracting(d -> ((Map<?, ?>) d.get("key")).get("aid") + " " + d.get("kind") + " "
                    + d.get("sourceCopies") + "/" + d.get("targetCopies") + " " + d.get("detectedBy"))
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(divergences(p, table, true)).allSatisfy(d -> assertThat(d.get("state")).isEqualTo("DIVERGENT"));
            assertThat(ParityProbe.table(p, table)).containsEntry("sourceRows", sourceRows).containsEntry("targetRows", targetRows)
                    .containsEntry("pendingKeys", 0L);
        });
    }

    /** A keyless row's key is its values: without the token only its hash is shown. */
    private static void assertRowValuesNeedTheToken(Parity p, String table) {
        assertThat(divergences(p, table, false)).isNotEmpty().allSatisfy(d -> assertThat(((Map<?, ?>) d.get("key")).keySet().toString()).isEqualTo("[rowHash]"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> divergences(Parity p, String table, boolean withToken) {
        return p.status().divergences(table, 100, withToken).stream()
                .map(d -> (Map<String, Object>) dev.parity.api.status.Json.MAPPER.convertValue(d, Map.class)).toList();
    }
}
