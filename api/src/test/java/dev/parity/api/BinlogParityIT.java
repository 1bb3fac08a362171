package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.sweep.Sweeper;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** Parity on two real MariaDB servers, and on two real MySQL servers, each pair with native GTID primary→replica replication. */
class BinlogParityIT {
    @Nested
    class OnMariaDb extends Contract {
        OnMariaDb() {
            super(Engine.MARIADB);
        }
    }

    @Nested
    class OnMySql extends Contract {
        OnMySql() {
            super(Engine.MYSQL);
        }
    }

    /** The same behaviour on either binlog engine: one pair and one Parity per engine, shared by its tests in order. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class Contract {
        private final Engine engine;
        private BinlogPair db;
        private Parity parity;

        Contract(Engine engine) {
            this.engine = engine;
        }

        @BeforeAll
        void start() throws Exception {
            db = BinlogPair.start(engine, "shop");
            db.onSource("CREATE TABLE shop.events (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, happened_at TIMESTAMP(3) NULL,"
                            + " amount DECIMAL(10,2), flag TINYINT(1), big BIGINT UNSIGNED, payload JSON, local_at DATETIME(6))",
                    "SET time_zone = '+00:00'",
                    "INSERT INTO shop.events SELECT seq, CONCAT('event ', seq), TIMESTAMP '2024-01-01 10:00:00' + INTERVAL seq MINUTE,"
                            + " seq / 7, seq % 2, 18446744073709551000 + seq % 600, JSON_OBJECT('n', seq), TIMESTAMP '2024-06-01 12:00:00.123456'"
                            + " FROM " + BinlogPair.seq(3000),
                    "CREATE TABLE shop.notes (id INT PRIMARY KEY, body TEXT)",
                    "INSERT INTO shop.notes SELECT seq, REPEAT('x', seq % 50) FROM " + BinlogPair.seq(500),
                    "CREATE TABLE shop.labels (id INT PRIMARY KEY, label VARCHAR(40) NOT NULL)",
                    "INSERT INTO shop.labels SELECT seq, CONCAT('l', seq) FROM " + BinlogPair.seq(200));
            // A replicated pair: every table on the replica before Parity starts (a table missing there at start stays
            // UNVERIFIED until a sweep round reads it, and these tests ask for rounds themselves).
            ParityProbe.awaitRows(db::target, "shop.events", 3000);
            ParityProbe.awaitRows(db::target, "shop.notes", 500);
            ParityProbe.awaitRows(db::target, "shop.labels", 200);
            parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: %s
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    tables: {include: ["shop.*"]}
                    api: {port: 0}
                    snapshot: {method: debezium}  # the connectors' snapshot path stays covered (InitialLoadIT covers Parity's own load)
                    verify: {interval: 1h}        # rounds only when a test asks, so each test sees what its own round found
                    state: {dir: "%s"}
                    """, engine.name().toLowerCase(), db.sourceUrl(), db.targetUrl(), Files.createTempDirectory("parity-binlog")), "binlog", Map.of()));
        }

        @AfterAll
        void stop() throws Exception {
            ParityProbe.closeAll(parity, db);
        }

        private Map<String, Object> table(String name) {
            return ParityProbe.table(parity, name);
        }

        private String state() {
            return ParityProbe.state(parity);
        }

        private void awaitInSync() {
            ParityProbe.awaitInSync(parity);
        }

        private Set<Long> divergentIds(String table) {
            return ParityProbe.divergences(parity, table, 10_000).stream().filter(d -> "DIVERGENT".equals(d.get("state")))
                    .map(d -> (Long) ((Map<?, ?>) d.get("key")).get("id")).collect(Collectors.toSet());
        }

        @Test
        @Order(1)
        void shouldReportEveryChunkInSyncAfterTheSnapshotOfAReplicatedPair() {
            awaitInSync();
            Map<String, Object> events = table("shop.events");
            assertThat(events.get("sourceRows")).isEqualTo(3_000L);
            assertThat(events.get("targetRows")).isEqualTo(3_000L);
            assertThat(events.get("sourceDigest")).isEqualTo(events.get("targetDigest"));
            assertThat(table("shop.notes").get("targetRows")).isEqualTo(500L);
            Map<String, Object> status = ParityProbe.status(parity);
            assertThat(status.get("settings").toString()).contains("engine=" + engine).contains("time_zone").contains("sql_mode");
            assertThat((List<?>) status.get("settingDrift")).as("identical servers").isEmpty();
        }

        @Test
        @Order(2)
        void shouldReReadEveryRowOfBothSidesToTheHashTheChangeStreamGave() {
            List<Sweeper.TableResult> results = ParityProbe.sweep(parity);
            assertThat(results).hasSize(6); // three tables, two sides
            for (Sweeper.TableResult r : results) {
                assertThat(r.problem()).as(r.toString()).isNull();
                assertThat(r.complete()).isTrue();
                assertThat(r.rowsMatched()).as(r.toString()).isEqualTo(r.rowsRead());
                assertThat(r.observations() + r.absent()).as(r.toString()).isZero();
            }
            assertThat(results).filteredOn(r -> r.table().equals("shop.events")).extracting(Sweeper.TableResult::rowsRead).containsOnly(3_000L);
            assertThat(state()).isEqualTo("IN_SYNC");
        }

        @Test
        @Order(3)
        void shouldStayInSyncWhileSourceWritesReplicate() throws Exception {
            db.onSource("UPDATE shop.events SET amount = amount + 1, payload = JSON_SET(payload, '$.m', 1) WHERE id <= 300",
                    "DELETE FROM shop.notes WHERE id > 490", "INSERT INTO shop.notes VALUES (1000, 'new')");
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(table("shop.notes").get("sourceRows")).isEqualTo(491L));
            awaitInSync();
        }

        @Test
        @Order(4)
        void shouldFindATargetOnlyUpdateWithItsExactKey() throws Exception {
            db.onTarget("UPDATE shop.events SET name = 'rogue' WHERE id = 2024");
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                assertThat(ParityProbe.divergences(parity, null, 100)).singleElement().satisfies(d -> {
                    assertThat(d.get("table")).isEqualTo("shop.events");
                    assertThat(d.get("key")).isEqualTo(Map.of("id", 2024L));
                    assertThat(d.get("state")).isEqualTo("DIVERGENT");
                    assertThat(d.get("kind")).isEqualTo("MISMATCH");
                });
            });
            db.onTarget("UPDATE shop.events SET name = 'event 2024' WHERE id = 2024");
            awaitInSync();
        }

        @Test
        @Order(5)
        void shouldFindWritesMadeWithTheBinlogOffWithTheirExactKeys() throws Exception {
            // DBA "fixes" on the replica with binary logging off: no change stream can see them, only a re-read.
            db.onTarget("SET SESSION sql_log_bin = 0", "UPDATE shop.events SET name = 'ghost' WHERE id = 1500",
                    "DELETE FROM shop.notes WHERE id = 7", "INSERT INTO shop.notes VALUES (5000, 'ghost')");
            ParityProbe.sweep(parity);
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                List<Map<String, Object>> found = ParityProbe.divergences(parity, null, 100);
                assertThat(found).extracting(d -> d.get("table") + " " + d.get("key") + " " + d.get("kind") + " " + d.get("state"))
                        .containsExactlyInAnyOrder("shop.events {id=1500} MISMATCH DIVERGENT", "shop.notes {id=7} MISSING_ON_TARGET DIVERGENT",
                                "shop.notes {id=5000} EXTRA_ON_TARGET DIVERGENT");
                assertThat(found).allSatisfy(d -> assertThat((String) d.get("targetPosition")).startsWith("re-read@hb"));
            });
            assertThat(parity.sweeper().results()).filteredOn(r -> r.side() == Side.TARGET && r.table().equals("shop.notes"))
                    .singleElement().satisfies(r -> {
                        assertThat(r.observations()).isEqualTo(1);
                        assertThat(r.absent()).isEqualTo(1);
                    });
            // Undone the same way: the next round finds the target equal again.
            db.onTarget("SET SESSION sql_log_bin = 0", "UPDATE shop.events SET name = 'event 1500' WHERE id = 1500",
                    "INSERT INTO shop.notes VALUES (7, 'xxxxxxx')", "DELETE FROM shop.notes WHERE id = 5000");
            ParityProbe.sweep(parity);
            awaitInSync();
        }

        @Test
        @Order(6)
        void shouldFlagExactlyTheRowsRewrittenThroughASessionOneHourOff() throws Exception {
            List<Long> ids = LongStream.rangeClosed(1, 14).map(i -> 1000 + i * 37).boxed().toList();
            String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
            // The same wall-clock values written back on the target by a session whose time_zone is one hour off.
            db.onTarget("SET time_zone = '+01:00'",
                    "UPDATE shop.events SET happened_at = CONVERT_TZ(happened_at, '+01:00', '+00:00') WHERE id IN (" + in + ")");
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(divergentIds("shop.events")).containsExactlyInAnyOrderElementsOf(ids));
            assertThat(table("shop.events").get("divergentKeys")).isEqualTo(14L);
            // Written on the target's own log, after the source's last change of those rows: a write outside
            // replication, said first; the rows read say which column and by how much.
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(parity.status().summaries("shop.events").get(0).groups())
                    .singleElement().satisfies(g -> {
                        assertThat(g.sentence()).isEqualTo("written on the target outside replication: shop.events — 14 keys differ only in"
                                + " `happened_at`, each by exactly -3600 s");
                        assertThat(g.origins()).containsExactly(Map.entry("TARGET_WRITE", 14L));
                    }));
            db.onTarget("SET time_zone = '+01:00'",
                    "UPDATE shop.events SET happened_at = CONVERT_TZ(happened_at, '+00:00', '+01:00') WHERE id IN (" + in + ")");
            awaitInSync();
        }

        @Test
        @Order(7)
        void shouldShowDdlWhileMonitoringAsSchemaDriftAndHashRowsWithTheNewColumns() throws Exception {
            db.onTarget("ALTER TABLE shop.notes ADD COLUMN extra INT NULL"); // on the target only
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(schemaDrift()).anySatisfy(d -> {
                assertThat(d).containsEntry("table", "shop.notes");
                assertThat(d.toString()).contains("extra");
            }));
            db.onTarget("ALTER TABLE shop.notes DROP COLUMN extra");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(schemaDrift()).isEmpty());
            // A column added on the source replicates; rows written since carry it on both sides.
            db.onSource("ALTER TABLE shop.notes ADD COLUMN mood VARCHAR(10) NULL", "UPDATE shop.notes SET mood = 'calm' WHERE id <= 20");
            awaitInSync();
            assertThat(schemaDrift()).isEmpty();
            db.onTarget("UPDATE shop.notes SET mood = 'stormy' WHERE id = 3"); // differs only in the new column
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(divergentIds("shop.notes")).containsExactly(3L));
            db.onTarget("UPDATE shop.notes SET mood = 'calm' WHERE id = 3");
            awaitInSync();
            // Rows untouched since the ALTER hash without the column in the captured state and with it when
            // re-read, on both sides alike: a re-read re-bases them together and raises nothing. (The re-read the column's
            // arrival on the second side asks for may have re-based them already; then this round finds them matching.)
            ParityProbe.sweep(parity);
            awaitInSync();
            // Re-based: the state now holds every row as read with the column, so another round finds all of them equal.
            List<Sweeper.TableResult> results = ParityProbe.sweep(parity);
            assertThat(results).filteredOn(r -> r.table().equals("shop.notes")).hasSize(2).allSatisfy(r -> {
                assertThat(r.rowsRead()).isEqualTo(491);
                assertThat(r.rowsMatched()).as("rows as the state holds them on the " + r.side()).isEqualTo(491);
                assertThat(r.observations() + r.absent()).isZero();
            });
            awaitInSync();
            assertThat(divergentIds("shop.notes")).isEmpty();
        }

        @SuppressWarnings("unchecked")
        private List<Map<String, Object>> schemaDrift() {
            return (List<Map<String, Object>>) ((Map<String, Object>) ParityProbe.status(parity).get("schema")).get("differences");
        }

        @Test
        @Order(8)
        void shouldFlagRowsSilentlyTruncatedByANarrowerTargetColumn() throws Exception {
            // The target's column narrowed on the target only (every current value fits, so no row changes),
            // and the replica allowed lossy conversions in non-strict mode: the classic silent truncation.
            db.onTarget("SET SESSION sql_log_bin = 0", "SET SESSION sql_mode = ''", "ALTER TABLE shop.labels MODIFY label VARCHAR(10) NOT NULL");
            db.setReplicationRunning(false);
            db.onTarget("SET GLOBAL slave_type_conversions = 'ALL_LOSSY,ALL_NON_LOSSY'", "SET GLOBAL sql_mode = ''");
            db.setReplicationRunning(true);
            db.onSource("UPDATE shop.labels SET label = CONCAT('a much longer label ', id) WHERE id BETWEEN 100 AND 104",
                    "UPDATE shop.labels SET label = 'short' WHERE id = 105");
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(divergentIds("shop.labels")).containsExactlyInAnyOrder(100L, 101L, 102L, 103L, 104L));
            // Replicated, in order, and cut by the replica's narrower column: the source's change applied differently.
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(parity.status().summaries("shop.labels").get(0).groups())
                    .singleElement().satisfies(g -> {
                        assertThat(g.cause()).isEqualTo("TRUNCATED");
                        assertThat(g.detail()).isEqualTo("the target column holds 10");
                        assertThat(g.origins()).containsExactly(Map.entry("APPLIED_DIFFERENTLY", 5L));
                    }));
            assertThat(table("shop.labels").get("divergentKeys")).isEqualTo(5L);
            assertThat(state()).isEqualTo("DIVERGENT");
        }

        @Test
        @Order(9)
        void shouldDeleteEveryRowOfATruncatedSideAtOnceFromTheLogAlone() throws Exception {
            // No sweep round runs in this class unless a test asks: the truncate is known from the binlog.
            db.onTarget("TRUNCATE TABLE shop.labels");
            KeyTypesLoadIT.awaitTruncated(parity, "shop.labels", 200, 0);
            db.onSource("TRUNCATE TABLE shop.labels"); // replicated as a statement: both sides empty
            KeyTypesLoadIT.awaitTruncated(parity, "shop.labels", 0, 0);
        }
    }
}
