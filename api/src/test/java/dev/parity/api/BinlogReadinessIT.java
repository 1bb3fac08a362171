package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The readiness gate on a real MariaDB primary→replica pair and a real MySQL one: READY when clean, NOT READY naming the
 * failing check for each cause, READY again once the cause is fixed.
 */
class BinlogReadinessIT {
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

    /** The gate's checks on one binlog engine: one pair and one Parity per engine, shared by its tests in order. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class Contract {
        final Engine engine;

        Contract(Engine engine) {
            this.engine = engine;
        }

        private BinlogPair db;
        private Parity parity;

        @BeforeAll
        void start() throws Exception {
            db = BinlogPair.start(engine, "m");
            db.onSource("CREATE TABLE m.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
                    "INSERT INTO m.items SELECT seq, CONCAT('item ', seq) FROM " + BinlogPair.seq(100),
                    "CREATE TABLE m.parent (id INT PRIMARY KEY)",
                    "CREATE TABLE m.child (id INT PRIMARY KEY, parent_id INT NOT NULL, FOREIGN KEY (parent_id) REFERENCES m.parent (id))",
                    "INSERT INTO m.parent VALUES (1), (2)", "INSERT INTO m.child VALUES (1, 1), (2, 2)",
                    "CREATE TABLE m.flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200),"
                            + " checksum INT, installed_on TIMESTAMP DEFAULT CURRENT_TIMESTAMP, execution_time INT, success BOOLEAN)",
                    "INSERT INTO m.flyway_schema_history (installed_rank, version, description, checksum, execution_time, success)"
                            + " VALUES (1, '1', 'init', 12345, 10, 1), (2, '2', 'orders', 67890, 12, 1)");
            parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: mr
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    tables: {include: ["m.*"], exclude: ["m.flyway_schema_history"]}
                    api: {port: 0, token: "t0ken"}
                    verify: {interval: 1h}   # no sweep round before the first gate: the initial load is the only full read
                    state: {dir: "%s"}
                    """, db.sourceUrl(), db.targetUrl(), Files.createTempDirectory("parity-mr")), "mr", Map.of()));
            ParityProbe.awaitInSync(parity);
        }

        @AfterAll
        void stop() throws Exception {
            ParityProbe.closeAll(parity, db);
        }

        private JsonNode readiness(String params) throws Exception {
            return ParityProbe.readiness(parity, "t0ken", params);
        }

        private void assertReady() {
            ParityProbe.awaitReady(parity, "t0ken");
        }

        @Test
        @Order(1)
        void shouldBeReadyRightAfterTheFirstInSyncWithoutWaitingForASweepRound() throws Exception {
            // Parity's initial load compared every row of both sides: that is a full read of each table.
            JsonNode r = readiness("?timeout=30s");
            assertThat(ParityProbe.failing(r)).as(r.toString()).isEmpty();
            assertThat(r.path("ready").asBoolean()).isTrue();
            assertThat(parity.sweeper().completedRounds()).as("no sweep round yet").isZero();
            assertThat(ParityProbe.check(r, "reread").path("detail").asText()).contains("by the initial load");
            // Status says when each table was last read completely on each side, and by whom.
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> reads = (List<Map<String, Object>>) ((Map<String, Object>) ParityProbe.status(parity).get("verification"))
                    .get("lastFullReads");
            assertThat(reads).extracting(m -> m.get("table") + " " + m.get("side") + " " + m.get("by")).containsExactlyInAnyOrder(
                    "m.child source initial load", "m.child target initial load", "m.items source initial load", "m.items target initial load",
                    "m.parent source initial load", "m.parent target initial load");
        }

        @Test
        @Order(2)
        void shouldNameTheSchemaWhenTheTargetHasAnExtraColumn() throws Exception {
            db.onTarget("ALTER TABLE m.items ADD COLUMN extra INT NULL");
            assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactly("schema");
            db.onTarget("ALTER TABLE m.items DROP COLUMN extra");
            assertReady();
        }

        @Test
        @Order(3)
        void shouldNameTheSettingsWhenTheTargetTimeZoneIsAnHourOff() throws Exception {
            db.onTarget("SET GLOBAL time_zone = '+01:00'");
            assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactly("settings");
            db.onTarget("SET GLOBAL time_zone = 'SYSTEM'");
            assertReady();
        }

        @Test
        @Order(4)
        void shouldNameTheMigrationHistoryWhenARowDiffers() throws Exception {
            db.onTarget("UPDATE m.flyway_schema_history SET checksum = 1 WHERE installed_rank = 2");
            assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactly("migration-history");
            db.onTarget("UPDATE m.flyway_schema_history SET checksum = 67890 WHERE installed_rank = 2");
            assertReady();
        }

        @Test
        @Order(5)
        void shouldNameOrphanedForeignKeyRowsImportedWithChecksOff() throws Exception {
            // A bulk import on the target with foreign-key checks off, outside the binlog.
            db.onTarget("SET SESSION sql_log_bin = 0", "SET SESSION foreign_key_checks = 0", "INSERT INTO m.child VALUES (99, 12345)");
            JsonNode r = readiness("?timeout=30s");
            assertThat(ParityProbe.failing(r)).containsExactly("foreign-key-orphans");
            assertThat(r.toString()).contains("m.child").contains("99");
            db.onTarget("SET SESSION sql_log_bin = 0", "DELETE FROM m.child WHERE id = 99");
            assertReady();
        }

        @Test
        @Order(6)
        void shouldNameTheFenceLagWhenReplicationStopsLongerThanMaxLag() throws Exception {
            db.setReplicationRunning(false);
            CompletableFuture<JsonNode> gate = CompletableFuture.supplyAsync(() -> {
                try {
                    return readiness("?timeout=60s&maxLag=2s");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(5_000);
            db.setReplicationRunning(true);
            JsonNode r = gate.get();
            assertThat(ParityProbe.failing(r)).containsExactly("fence-lag");
            assertThat(r.path("fence").path("lagSeconds").asDouble()).isGreaterThan(4);
            assertReady();
        }

        @Test
        @Order(7)
        void shouldNameTheDivergentKeysOfATargetOnlyWrite() throws Exception {
            db.onTarget("UPDATE m.items SET name = 'rogue' WHERE id = 7");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactlyInAnyOrder("divergent-keys", "table m.items"));
            db.onTarget("UPDATE m.items SET name = 'item 7' WHERE id = 7");
            assertReady();
        }

        @Test
        @Order(8)
        void shouldNameTheCapturesWhenOneCaptureIsCutOffAndRecoverWhenItComesBack() throws Exception {
            // The target has no replica of its own: every binlog dump on it is Parity's capture.
            try (CaptureKiller killer = new CaptureKiller(db::target,
                    "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'", "KILL %d")) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    JsonNode r = readiness("?timeout=3s");
                    assertThat(r.path("ready").asBoolean()).isFalse();
                    assertThat(ParityProbe.failing(r)).contains("captures-live");
                    assertThat(r.toString()).contains("not live: target");
                });
                assertThat(killer.kills()).isPositive();
            }
            assertReady();
        }

        @Test
        @Order(9)
        void shouldBeReadyAsOfTheFenceWhileTheSourceKeepsWriting() throws Exception {
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = new Thread(() -> {
                try (var c = db.source(); var st = c.createStatement()) {
                    for (long i = 0; writing.get(); i++) {
                        st.executeUpdate("UPDATE m.items SET name = 'busy " + i + "' WHERE id = " + (1 + i % 100));
                        writes.incrementAndGet();
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "it-writer");
            writer.start();
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    long before = writes.get();
                    JsonNode r = readiness("?timeout=30s&maxLag=10s");
                    assertThat(ParityProbe.failing(r)).as(r.toString()).isEmpty();
                    assertThat(r.path("fence").path("lagSeconds").asDouble()).isPositive().isLessThan(10);
                    assertThat(writes.get()).as("the source wrote during the gate").isGreaterThan(before);
                });
            } finally {
                writing.set(false);
                writer.join(5_000);
            }
        }
    }
}
