package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.kafka.EmbeddedKafka;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.PostgresPair;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Lag versus corruption on a real PostgreSQL pair: an idle source, then a replication stall under
 * continuous writes with a target-only write made during it, with alerts delivered to a local webhook.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresLagIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROGUE_ID = 1_000;
    private static PostgresPair pg;
    private static EmbeddedKafka cluster;
    private static Parity parity;
    private static HttpServer receiver;
    private static final List<JsonNode> alerts = new CopyOnWriteArrayList<>();
    private static volatile boolean writing;
    private static Thread writer;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresPair.start();
        pg.ddl("CREATE TABLE counters (id INT PRIMARY KEY, n BIGINT NOT NULL)", HeartbeatWriter.ddl("public.parity_heartbeat"));
        pg.onSource("INSERT INTO counters SELECT g, 0 FROM generate_series(1, 100) g; INSERT INTO counters VALUES (" + ROGUE_ID + ", 7)");
        pg.replicate("lag");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            alerts.add(JSON.readTree(ex.getRequestBody()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        // An existing Kafka cluster (started apart from Parity): Parity must use it, not embed its own.
        cluster = EmbeddedKafka.start(Files.createTempDirectory("parity-cluster"));
        parity = Parity.start(ConfigLoader.parse(String.format("""
                name: lag
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                kafka: {bootstrapServers: "%s", partitions: 3}
                api: {port: 0, token: "t0ken"}
                alerts: {webhooks: ["http://127.0.0.1:%d/hook"], lagThreshold: 4s, groupInterval: 1s}
                snapshot: {method: debezium}  # the connectors' snapshot path stays covered (InitialLoadIT covers Parity's own load)
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), cluster.bootstrapServers(), receiver.getAddress().getPort(),
                Files.createTempDirectory("parity-lag")), "lag", Map.of()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(status().get("state")).isEqualTo("IN_SYNC"));
    }

    @AfterAll
    static void stop() throws Exception {
        writing = false;
        if (writer != null) {
            writer.join(5_000);
        }
        if (parity != null) {
            parity.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (cluster != null) {
            cluster.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static Map<String, Object> status() {
        return ParityProbe.status(parity);
    }

    private static double lag() {
        Object lag = status().get("replicationLagSeconds");
        assertThat(lag).as("replication lag is measured").isInstanceOf(Number.class);
        return ((Number) lag).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static long keys(String field) {
        return ((List<Map<String, Object>>) status().get("tables")).stream().mapToLong(t -> ((Number) t.get(field)).longValue()).sum();
    }

    private static List<JsonNode> alertsOf(String type) {
        return alerts.stream().filter(a -> type.equals(a.path("type").asText())).toList();
    }

    @Test
    @Order(0)
    void shouldUseTheConfiguredKafkaClusterWithItsPartitionCount() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of("parity.lag.source", "parity.lag.target"))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(3));
        }
        assertThat(parity.runtime().config().stateDir().resolve("kafka")).doesNotExist();
    }

    @Test
    @Order(1)
    void shouldKeepLagNearZeroWhileTheSourceIsIdle() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        double worst = 0;
        while (System.nanoTime() < end) {
            worst = Math.max(worst, lag());
            Thread.sleep(250);
        }
        assertThat(worst).as("worst replication lag over 10 idle seconds").isLessThan(2.0);
        assertThat(status().get("state")).isEqualTo("IN_SYNC");
    }

    private static HttpResponse<String> readiness(String token, String params) throws Exception {
        return ParityProbe.postReadiness(parity, token, params);
    }

    @Test
    @Order(1)
    void shouldAnswerReadyWithEveryCheckPassingOnACleanIdlePairAndKeepTheReport() throws Exception {
        assertThat(readiness(null, "").statusCode()).isEqualTo(401);
        assertThat(readiness("wrong", "").statusCode()).isEqualTo(401);
        ParityProbe.awaitRereadOnce(parity); // READY also needs every table re-read once
        HttpResponse<String> r = readiness("t0ken", "?timeout=30s&maxLag=10s");
        JsonNode report = JSON.readTree(r.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(report.path("ready").asBoolean()).isTrue();
        assertThat(report.path("checks")).allSatisfy(c -> assertThat(c.path("status").asText()).as(c.toString()).isEqualTo("PASS"));
        assertThat(report.path("checks").findValuesAsText("name")).contains("fence-lag", "divergent-keys", "pending-keys",
                "table public.counters", "schema", "settings", "migration-history", "foreign-key-orphans", "reread", "captures-live");
        assertThat(report.path("fence").path("lagSeconds").asDouble()).isLessThan(5);
        try (var files = Files.list(parity.runtime().config().stateDir().resolve("readiness"))) {
            assertThat(files.toList()).isNotEmpty();
        }
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        int exit;
        try {
            exit = dev.parity.api.cli.ParityCliAccess.run("ready", "--url", "http://127.0.0.1:" + parity.port(), "--token", "t0ken");
        } finally {
            System.setOut(stdout);
        }
        assertThat(exit).isZero();
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("[x] fence-lag", "[x] schema").contains("READY (fence seq");
    }

    @Test
    @Order(2)
    void shouldReportAStallAsGrowingLagWithPendingKeysAndNoDivergence() throws Exception {
        writing = true;
        writer = new Thread(() -> {
            try (Connection c = pg.source(); PreparedStatement ps = c.prepareStatement("UPDATE counters SET n = n + 1 WHERE id = ?")) {
                while (writing) {
                    ps.setInt(1, 1 + ThreadLocalRandom.current().nextInt(100));
                    ps.executeUpdate();
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "it-writer");
        writer.start();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(lag()).isLessThan(2.0));
        HttpResponse<String> underWrites = readiness("t0ken", "?timeout=30s&maxLag=10s");
        assertThat(underWrites.statusCode()).as("READY as of the fence while the source keeps writing: " + underWrites.body()).isEqualTo(200);
        assertThat(JSON.readTree(underWrites.body()).path("fence").path("lagSeconds").asDouble()).isPositive().isLessThan(5);

        pg.setSubscriptionEnabled("lag", false);
        long stalledAt = System.nanoTime();
        double previous = 0;
        boolean rogueWritten = false;
        while (System.nanoTime() - stalledAt < Duration.ofSeconds(16).toNanos()) {
            assertThat(keys("divergentKeys")).as("nothing is DIVERGENT while replication is merely stalled").isZero();
            assertThat(status().get("state")).isNotEqualTo("DIVERGENT");
            if (!rogueWritten && System.nanoTime() - stalledAt > Duration.ofSeconds(4).toNanos()) {
                pg.onTarget("UPDATE counters SET n = -1 WHERE id = " + ROGUE_ID); // a target-only write during the stall
                rogueWritten = true;
            }
            Thread.sleep(500);
        }
        double stalledFor = (System.nanoTime() - stalledAt) / 1e9;
        double lag = lag();
        assertThat(lag).as("lag grows with the stall (%.1f s)", stalledFor).isGreaterThan(stalledFor - 3).isLessThanOrEqualTo(stalledFor + 1);
        previous = lag;
        Thread.sleep(1_000);
        assertThat(lag()).isGreaterThan(previous);
        assertThat(keys("pendingKeys")).isPositive();
        assertThat(status().get("state")).isEqualTo("PENDING");
        assertThat(ParityProbe.divergences(parity, "public.counters", 1000)).anySatisfy(d -> {
            assertThat(d.get("key")).isEqualTo(Map.of("id", (long) ROGUE_ID));
            assertThat(d.get("state")).isEqualTo("PENDING");
        });
        assertThat(((Number) status().get("oldestPendingSeconds")).doubleValue()).isGreaterThan(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> !alertsOf("REPLICATION_LAG").isEmpty());
        HttpResponse<String> stalled = readiness("t0ken", "?timeout=3s&maxLag=10s");
        assertThat(stalled.statusCode()).isEqualTo(503);
        JsonNode report = JSON.readTree(stalled.body());
        assertThat(report.path("decided").asBoolean()).as("the fence cannot come back through a stalled replica").isFalse();
        assertThat(report.path("checks").get(0).path("name").asText()).isEqualTo("fence");
        assertThat(report.path("checks").get(0).path("status").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    @Order(3)
    void shouldJudgeTheStallTimeTargetWriteDivergentOnceReplicationResumesAndEverythingElseInSync() throws Exception {
        pg.setSubscriptionEnabled("lag", true);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(lag()).isLessThan(2.0));
        writing = false;
        writer.join(5_000);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(parity, null, 1000)).singleElement().satisfies(d -> {
                assertThat(d.get("key")).isEqualTo(Map.of("id", (long) ROGUE_ID));
                assertThat(d.get("state")).isEqualTo("DIVERGENT");
                assertThat(d.get("kind")).isEqualTo("MISMATCH");
            });
            assertThat(status().get("state")).isEqualTo("DIVERGENT");
            assertThat(keys("pendingKeys")).isZero();
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(alertsOf("DIVERGENCE")).singleElement().satisfies(a -> {
                assertThat(a.path("table").asText()).isEqualTo("public.counters");
                assertThat(a.path("keyCount").asLong()).isEqualTo(1);
                assertThat(a.path("sampleKeys").get(0).path("id").asLong()).isEqualTo(ROGUE_ID);
            });
            assertThat(alertsOf("REPLICATION_LAG_RESOLVED")).hasSize(1);
        });
        HttpResponse<String> r = readiness("t0ken", "?timeout=30s");
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode report = JSON.readTree(r.body());
        assertThat(report.path("decided").asBoolean()).isTrue();
        assertThat(report.path("checks")).filteredOn(c -> c.path("status").asText().equals("FAIL"))
                .extracting(c -> c.path("name").asText()).containsExactlyInAnyOrder("divergent-keys", "table public.counters");
    }

    @Test
    @Order(4)
    void shouldReturnToInSyncAndSendARecoveryWhenTheTargetIsRepaired() throws Exception {
        pg.onTarget("UPDATE counters SET n = 7 WHERE id = " + ROGUE_ID);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status().get("state")).isEqualTo("IN_SYNC"));
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsOf("DIVERGENCE_RESOLVED").size() == 1);
        assertThat(alertsOf("DIVERGENCE")).hasSize(1);
    }

    /**
     * The sweep stamps a table's re-read observations with a heartbeat it holds back until they are all in Kafka (README,
     * "How it decides"): no heartbeat with that seq or a later one may be written while the hold is open, fences included.
     * On a table of its own (unlogged: not published), so Parity's heartbeats go on undisturbed.
     */
    @Test
    @Order(5)
    void shouldWriteNoHeartbeatAtOrPastAHeldSeqUntilTheHoldCloses() throws Exception {
        pg.onSource("CREATE UNLOGGED TABLE held_heartbeat (id INT PRIMARY KEY, seq BIGINT NOT NULL, written_at_us BIGINT NOT NULL, fence_id VARCHAR(64))",
                "INSERT INTO held_heartbeat VALUES (1, 0, 0, NULL)");
        dev.parity.ingest.jdbc.Endpoint source = new dev.parity.ingest.jdbc.Endpoint(dev.parity.reconciler.model.Side.SOURCE, pg.sourceUrl(), "postgres", null);
        try (HeartbeatWriter hb = new HeartbeatWriter(source, dev.parity.ingest.engine.DatabaseAdapter.of(dev.parity.ingest.engine.Engine.POSTGRESQL, source)::beat,
                "public.held_heartbeat", java.time.Clock.systemUTC())) {
            assertThat(hb.beat(null)).isEqualTo(1);
            List<Long> written = new CopyOnWriteArrayList<>();
            HeartbeatWriter.Hold hold = hb.holdAt(2, 0, Duration.ofMinutes(1));
            assertThat(hold.seq()).isEqualTo(3);
            Thread beats = new Thread(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        written.add(hb.beat(i == 2 ? "a-fence" : null));
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            beats.start();
            // heartbeat 2 is written; 3, the held one, waits for as long as the hold is open
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> written.equals(List.of(2L)));
            hold.close();
            beats.join(10_000);
            assertThat(written).containsExactly(2L, 3L, 4L);
            // a hold not closed lets heartbeats through once it expires
            HeartbeatWriter.Hold lapsed = hb.holdAt(1, 0, Duration.ofMillis(300));
            assertThat(lapsed.seq()).isEqualTo(5);
            assertThat(hb.beat(null)).isEqualTo(5);
        }
    }

    /**
     * Disk grows with keys, not with changes (README, "Disk"): the side topics' records the reconciler has committed are
     * purged (each partition then starts at its committed offset), the topics roll small segments so that frees disk,
     * every store's changelog is compacted over small segments, and the mismatch and wake-up indexes have none.
     */
    @Test
    @Order(6)
    void shouldPurgeCommittedSideTopicRecordsAndCompactSmallChangelogSegments() throws Exception {
        List<String> sides = List.of("parity.lag.source", "parity.lag.target");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                var committed = admin.listConsumerGroupOffsets("parity-lag").partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                var partitions = committed.keySet().stream().filter(tp -> sides.contains(tp.topic())).toList();
                assertThat(partitions).hasSize(6);
                var earliest = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(tp -> tp,
                        tp -> org.apache.kafka.clients.admin.OffsetSpec.earliest()))).all().get(10, TimeUnit.SECONDS);
                // every partition took records (heartbeats reach them all); what was committed 30 s ago at the latest is gone
                assertThat(partitions).allSatisfy(tp -> assertThat(earliest.get(tp).offset()).as(tp.toString()).isPositive());
            });
            Map<String, String> segmentBytes = new java.util.HashMap<>();
            List<String> topics = new java.util.ArrayList<>(sides);
            dev.parity.reconciler.topology.ReconcilerTopology.storeNames().forEach(st -> topics.add("parity-lag-" + st + "-changelog"));
            var resources = topics.stream().map(t -> new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, t)).toList();
            admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS).forEach((r, c) -> {
                segmentBytes.put(r.name(), c.get("segment.bytes").value());
            });
            assertThat(segmentBytes).hasSize(topics.size()).allSatisfy((t, v) -> assertThat(v).as(t).isEqualTo(Integer.toString(8 * 1024 * 1024)));
            // the mismatch and wake-up indexes are rebuilt from the key states, never changelogged
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("parity-lag-parity-keys-changelog")
                    .doesNotContain("parity-lag-parity-pending-changelog", "parity-lag-parity-mismatches-changelog");
        }
    }
}
