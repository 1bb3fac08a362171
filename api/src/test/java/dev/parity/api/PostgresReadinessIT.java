package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The readiness gate on a real PostgreSQL pair with logical replication: READY when clean, NOT READY
 * naming the failing check for each cause, READY again once it is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresReadinessIT {
    private static PostgresPair pg;
    private static Parity parity;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresPair.start();
        pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
                "CREATE TABLE parent (id INT PRIMARY KEY)",
                "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL REFERENCES parent (id))",
                "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200),"
                        + " checksum INT, installed_on TIMESTAMP DEFAULT now(), execution_time INT, success BOOLEAN)",
                HeartbeatWriter.ddl("public.parity_heartbeat"));
        pg.onSource("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g",
                "INSERT INTO parent VALUES (1), (2)", "INSERT INTO child VALUES (1, 1), (2, 2)",
                "INSERT INTO flyway_schema_history (installed_rank, version, description, checksum, execution_time, success)"
                        + " VALUES (1, '1', 'init', 12345, 10, true), (2, '2', 'orders', 67890, 12, true)");
        pg.replicate("pr");
        parity = Parity.start(ConfigLoader.parse(String.format("""
                name: pr
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.*"], exclude: ["public.flyway_schema_history"]}
                api: {port: 0, token: "t0ken"}
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), Files.createTempDirectory("parity-pr")), "pr", Map.of()));
        ParityProbe.awaitInSync(parity);
    }

    @AfterAll
    static void stop() throws Exception {
        ParityProbe.closeAll(parity, pg);
    }

    private static JsonNode readiness(String params) throws Exception {
        return ParityProbe.readiness(parity, "t0ken", params);
    }

    private static void assertReady() {
        ParityProbe.awaitReady(parity, "t0ken");
    }

    @Test
    @Order(1)
    void shouldBeReadyWhenClean() {
        assertReady();
    }

    @Test
    @Order(2)
    void shouldNameTheSchemaWhenTheTargetHasAnExtraColumn() throws Exception {
        pg.onTarget("ALTER TABLE items ADD COLUMN extra INT");
        JsonNode report = readiness("?timeout=30s");
        assertThat(ParityProbe.failing(report)).containsExactly("schema");
        // The gate's last answer, as the dashboard shows it (with the token; the metric says READY or not).
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var last = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + parity.port() + "/api/v1/readiness/last"))
                .header("Authorization", "Bearer t0ken").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(last.statusCode()).isEqualTo(200);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(last.body())).isEqualTo(report);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + parity.port() + "/api/v1/readiness/last"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).as("no token").isEqualTo(401);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + parity.port() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("parity_readiness_ready 0.0");
        pg.onTarget("ALTER TABLE items DROP COLUMN extra");
        assertReady();
    }

    @Test
    @Order(3)
    void shouldNameTheSettingsWhenTheTargetTimeZoneIsAnHourOff() throws Exception {
        pg.onTarget("ALTER SYSTEM SET TimeZone = 'Europe/Paris'", "SELECT pg_reload_conf()");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactly("settings"));
        pg.onTarget("ALTER SYSTEM RESET TimeZone", "SELECT pg_reload_conf()");
        assertReady();
    }

    @Test
    @Order(4)
    void shouldNameTheMigrationHistoryWhenARowDiffers() throws Exception {
        pg.onTarget("UPDATE flyway_schema_history SET checksum = 1 WHERE installed_rank = 2");
        assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactly("migration-history");
        pg.onTarget("UPDATE flyway_schema_history SET checksum = 67890 WHERE installed_rank = 2");
        assertReady();
    }

    @Test
    @Order(5)
    void shouldNameOrphanedForeignKeyRowsInsertedWithChecksOff() throws Exception {
        // session_replication_role = replica disables foreign-key triggers, as bulk loaders do.
        pg.onTarget("SET session_replication_role = replica", "INSERT INTO child VALUES (99, 12345)");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode r = readiness("?timeout=30s");
            assertThat(ParityProbe.failing(r)).contains("foreign-key-orphans");
            assertThat(r.toString()).contains("public.child");
        });
        pg.onTarget("DELETE FROM child WHERE id = 99");
        assertReady();
    }

    @Test
    @Order(6)
    void shouldNameTheFenceLagWhenReplicationStopsLongerThanMaxLag() throws Exception {
        pg.setSubscriptionEnabled("pr", false);
        CompletableFuture<JsonNode> gate = CompletableFuture.supplyAsync(() -> {
            try {
                return readiness("?timeout=60s&maxLag=2s");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(5_000);
        pg.setSubscriptionEnabled("pr", true);
        JsonNode r = gate.get();
        assertThat(ParityProbe.failing(r)).containsExactly("fence-lag");
        assertReady();
    }

    @Test
    @Order(7)
    void shouldNameTheDivergentKeysOfATargetOnlyWrite() throws Exception {
        pg.onTarget("UPDATE items SET name = 'rogue' WHERE id = 7");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ParityProbe.failing(readiness("?timeout=30s"))).containsExactlyInAnyOrder("divergent-keys", "table public.items"));
        pg.onTarget("UPDATE items SET name = 'item 7' WHERE id = 7");
        assertReady();
    }

    @Test
    @Order(8)
    void shouldNameTheCapturesWhenOneCaptureIsCutOffAndRecoverWhenItComesBack() throws Exception {
        String slot = dev.parity.ingest.engine.CaptureNames.slot("pr", dev.parity.reconciler.model.Side.TARGET);
        try (CaptureKiller killer = new CaptureKiller(pg::target,
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active_pid IS NOT NULL",
                "SELECT pg_terminate_backend(%d)")) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode r = readiness("?timeout=3s");
                assertThat(r.path("ready").asBoolean()).isFalse();
                assertThat(ParityProbe.failing(r)).contains("captures-live");
                assertThat(r.toString()).contains("not live: target");
            });
            assertThat(killer.kills()).isPositive();
        }
        assertReady(); // the capture is restarted and resumes from its offsets
    }
}
