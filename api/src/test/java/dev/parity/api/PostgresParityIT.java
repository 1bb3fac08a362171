package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.ingest.jdbc.DatabaseException;
import dev.parity.ingest.local.DemoSchema;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Parity end to end on two real PostgreSQL servers with native logical replication, a real embedded
 * KRaft broker and the real topology. One pair and one Parity are shared by the class (ordered tests).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresParityIT {
    private static PostgresPair pg;
    private static Path state;
    private static ParityConfig config;
    private static Parity parity;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresPair.start();
        pg.ddl(DemoSchema.DDL);
        pg.onSource(DemoSchema.load(2_000, 4)); // 2,000 customers + 8,000 orders = 10,000 rows
        pg.replicate("it");
        state = Files.createTempDirectory("parity-it");
        config = ConfigLoader.parse(String.format("""
                name: it
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.*"], exclude: ["public.audit_log"]}
                api: {port: 0}
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), state), "it", Map.of());
        parity = Parity.start(config);
    }

    @AfterAll
    static void stop() throws Exception {
        ParityProbe.closeAll(parity, pg);
    }

    private static Map<String, Object> table(String name) {
        return ParityProbe.table(parity, name);
    }

    private static String state() {
        return ParityProbe.state(parity);
    }

    private static void awaitInSync() {
        ParityProbe.awaitInSync(parity);
    }

    @Test
    @Order(1)
    void shouldReportEveryChunkInSyncAfterTheInitialSnapshot() {
        awaitInSync();
        Map<String, Object> orders = table("public.orders");
        assertThat(orders.get("sourceRows")).isEqualTo(8_000L);
        assertThat(orders.get("targetRows")).isEqualTo(8_000L);
        assertThat(orders.get("chunksInSync")).isEqualTo(orders.get("chunks")).isEqualTo(1024);
        assertThat(orders.get("sourceDigest")).isEqualTo(orders.get("targetDigest"));
        assertThat(table("public.customers").get("targetRows")).isEqualTo(2_000L);
        // Snapshot progress stays in status once done: every row read, against the database's estimate.
        for (String side : List.of("source", "target")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> snapshot = (Map<String, Object>) ((Map<String, Map<String, Object>>) ParityProbe.status(parity).get("sides"))
                    .get(side).get("snapshot");
            assertThat(snapshot).as(side).containsEntry("rowsDone", 10_000L).containsEntry("etaSeconds", null)
                    .containsEntry("running", false).containsEntry("method", "PARITY");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> tables = (List<Map<String, Object>>) snapshot.get("tables");
            assertThat(tables).as(side).hasSize(2).anySatisfy(t -> assertThat(t)
                    .containsEntry("table", "public.orders").containsEntry("rowsDone", 8_000L));
        }
    }

    @Test
    @Order(2)
    void shouldReReadEveryRowOfBothSidesToTheHashTheChangeStreamGave() {
        List<dev.parity.ingest.sweep.Sweeper.TableResult> results = ParityProbe.sweep(parity);
        assertThat(results).extracting(r -> r.table() + " " + r.side().label() + " " + r.rowsRead() + " " + r.rowsMatched() + " " + r.problem())
                .containsExactlyInAnyOrder("public.customers source 2000 2000 null", "public.customers target 2000 2000 null",
                        "public.orders source 8000 8000 null", "public.orders target 8000 8000 null");
        assertThat(results).allSatisfy(r -> assertThat(r.observations() + r.absent()).isZero());
        assertThat(state()).isEqualTo("IN_SYNC");
    }

    @Test
    @Order(3)
    void shouldStayInSyncWhileSourceWritesReplicate() throws Exception {
        pg.onSource("UPDATE orders SET amount = amount + 1 WHERE id <= 500");
        pg.onSource("INSERT INTO customers VALUES (5000, 'new', now(), '{\"tier\": 1}')");
        pg.onSource("DELETE FROM orders WHERE id BETWEEN 7000 AND 7010");
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(table("public.orders").get("sourceRows")).isEqualTo(7_989L));
        awaitInSync();
        assertThat(table("public.orders").get("divergentKeys")).isEqualTo(0L);
        assertThat(table("public.customers").get("targetRows")).isEqualTo(2_001L);
    }

    @Test
    @Order(4)
    void shouldReportTargetOnlyUpdateDeleteAndInsertWithTheirExactKeys() throws Exception {
        pg.onTarget("UPDATE customers SET name = 'rogue' WHERE id = 42");
        pg.onTarget("DELETE FROM orders WHERE id = 4242");
        pg.onTarget("INSERT INTO customers VALUES (999999, 'target only', now(), NULL)");
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
            List<Map<String, Object>> d = ParityProbe.divergences(parity, null, 100);
            assertThat(d).extracting(m -> m.get("table") + " " + m.get("key") + " " + m.get("kind") + " " + m.get("state"))
                    .containsExactlyInAnyOrder(
                            "public.customers {id=42} MISMATCH DIVERGENT",
                            "public.customers {id=999999} EXTRA_ON_TARGET DIVERGENT",
                            "public.orders {id=4242} MISSING_ON_TARGET DIVERGENT");
            assertThat(d).allSatisfy(m -> assertThat((Integer) m.get("chunk")).isBetween(0, 1023));
        });
        assertThat(state()).isEqualTo("DIVERGENT");
        assertThat(table("public.orders").get("divergentKeys")).isEqualTo(1L);
        assertThat(ParityProbe.divergences(parity, "public.orders", 10)).singleElement()
                .satisfies(m -> assertThat(m.get("chunk")).isEqualTo(parity.runtime().chunking().chunkOf(
                        new dev.parity.reconciler.canonical.CanonicalWriter().table("public.orders").column("id").integer(4242).toByteArray())));
    }

    @Test
    @Order(5)
    void shouldServeStatusDivergencesTablesAndMetricsOverHttpOnLoopback() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + parity.port();
        ObjectMapper json = new ObjectMapper();
        JsonNode status = json.readTree(get(http, base + "/api/v1/status", 200));
        assertThat(status.path("state").asText()).isEqualTo("DIVERGENT");
        assertThat(status.path("sides").path("source").path("phase").asText()).isEqualTo("STREAMING");
        assertThat(status.path("replicationLagSeconds").isNumber()).isTrue();
        JsonNode div = json.readTree(get(http, base + "/api/v1/divergences?table=public.orders&limit=10", 200));
        assertThat(div.path("divergences")).hasSize(1);
        assertThat(div.path("divergences").get(0).path("key").toString()).isEqualTo("{\"id\":4242}");
        assertThat(div.path("divergences").get(0).path("kind").asText()).isEqualTo("MISSING_ON_TARGET");
        JsonNode orders = json.readTree(get(http, base + "/api/v1/tables/public.orders", 200));
        assertThat(orders.path("divergentKeys").asLong()).isEqualTo(1);
        assertThat(orders.path("targetRows").asLong()).isEqualTo(orders.path("sourceRows").asLong() - 1);
        get(http, base + "/api/v1/tables/public.nope", 404);
        // The heatmap's data: every non-empty chunk with its verdict; the one holding key 4242 is the divergent one.
        JsonNode chunks = json.readTree(get(http, base + "/api/v1/tables/public.orders/chunks", 200));
        assertThat(chunks.path("chunkCount").asInt()).isEqualTo(1024);
        int divergentChunk = parity.runtime().chunking().chunkOf(
                new dev.parity.reconciler.canonical.CanonicalWriter().table("public.orders").column("id").integer(4242).toByteArray());
        long sourceRows = 0;
        for (JsonNode c : chunks.path("chunks")) {
            sourceRows += c.path("sourceRows").asLong();
            if (c.path("chunk").asInt() == divergentChunk) {
                assertThat(c.path("state").asText()).isEqualTo("DIVERGENT");
                assertThat(c.path("targetRows").asLong()).isEqualTo(c.path("sourceRows").asLong() - 1);
            } else {
                assertThat(c.path("state").asText()).as(c.toString()).isEqualTo("IN_SYNC");
            }
        }
        assertThat(sourceRows).isEqualTo(orders.path("sourceRows").asLong());
        get(http, base + "/api/v1/tables/public.nope/chunks", 404);
        get(http, base + "/api/v1/readiness/last", 403); // names keys: only with the token, and none is configured here
        get(http, base + "/api/v1/divergences?limit=0", 400);
        assertThat(get(http, base + "/metrics", 200))
                .contains("parity_keys{state=\"divergent\"} 3.0")
                .contains("parity_rows{side=\"source\",table=\"public.orders\"}")
                .contains("parity_replication_lag_seconds")
                .contains("parity_snapshot_rows_done{side=\"target\"} 10000.0")
                .contains("parity_reread_rows{side=\"target\",table=\"public.orders\"} 8000.0")
                .contains("parity_reread_rounds_completed");
        assertThat(get(http, base + "/health", 200)).contains("UP");
        assertThat(get(http, base + "/", 200)).contains("<title>Parity</title>");
        assertThat(get(http, base + "/api/v1/status", 200)).doesNotContain("password");
    }

    private static String get(HttpClient http, String url, int expectedStatus) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(expectedStatus);
        return r.body();
    }

    @Test
    @Order(6)
    void shouldReturnToInSyncWhenTheDriftIsUndone() throws Exception {
        pg.onTarget("UPDATE customers SET name = 'customer 42' WHERE id = 42");
        pg.onTarget("INSERT INTO orders SELECT * FROM (VALUES (4242::bigint, 1 + (4242 % 2000)::bigint, ((4242 % 1000) / 7.0)::numeric(12,2), "
                + "TIMESTAMP '2024-06-01 12:00:00' + 4242 * INTERVAL '1 second', 'order 4242', decode(md5('4242'), 'hex'))) v");
        pg.onTarget("DELETE FROM customers WHERE id = 999999");
        awaitInSync();
        assertThat(ParityProbe.divergences(parity, null, 10)).isEmpty();
    }

    @Test
    @Order(7)
    void shouldShowDdlOnTheTargetAsSchemaDriftWithinSeconds() throws Exception {
        pg.onTarget("ALTER TABLE customers ADD COLUMN nickname VARCHAR(20)");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(schemaDrift())
                .anySatisfy(d -> assertThat(d.toString()).contains("public.customers").contains("nickname")));
        pg.onTarget("ALTER TABLE customers DROP COLUMN nickname");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(schemaDrift()).isEmpty());
        awaitInSync();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> schemaDrift() {
        return (List<Map<String, Object>>) ((Map<String, Object>) ParityProbe.status(parity).get("schema")).get("differences");
    }

    @Test
    @Order(8)
    void shouldResumeFromStoredOffsetsAndStateAfterRestartWithoutASecondSnapshot() throws Exception {
        Map<String, Object> before = table("public.orders");
        parity.close();
        parity = null;
        pg.onSource("UPDATE orders SET note = 'while parity was down' WHERE id = 1");
        parity = Parity.start(config);
        awaitInSync();
        Map<String, Object> after = table("public.orders");
        assertThat(after.get("sourceRows")).isEqualTo(before.get("sourceRows"));
        assertThat(after.get("targetRows")).isEqualTo(before.get("targetRows"));
        // A second snapshot would re-send ~10,000 rows; resuming streams only the few changes since.
        assertThat(parity.runtime().capture(Side.SOURCE).events()).isLessThan(1_000);
        assertThat(after.get("sourceDigest")).isNotEqualTo(before.get("sourceDigest")).isEqualTo(after.get("targetDigest"));
    }

    @Test
    @Order(9)
    void shouldNameColumnsCausesAndTheTargetWriterThenRepairInThePostgresDialect() throws Exception {
        awaitInSync();
        // Written on the target by sessions of its own (its log has them; the source's does not).
        pg.onTarget("UPDATE customers SET created_at = created_at + INTERVAL '1 hour' WHERE id BETWEEN 1 AND 14",
                "UPDATE orders SET note = left(note, 5) WHERE id IN (101, 102, 103)",
                "UPDATE orders SET amount = round(amount, 1) WHERE id IN (4, 5)", // 0.57 -> 0.6, 0.71 -> 0.7
                "UPDATE customers SET name = upper(name) WHERE id = 20",
                "UPDATE orders SET receipt = NULL, placed_at = placed_at - INTERVAL '30 minutes' WHERE id = 300");
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
            assertThat(table("public.customers").get("divergentKeys")).isEqualTo(15L);
            assertThat(table("public.orders").get("divergentKeys")).isEqualTo(6L);
        });
        // Summaries are recomputed at most once a second: wait on what they say.
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
            assertThat(parity.status().summaries("public.customers").get(0).notReadYet()).isZero();
            assertThat(parity.status().summaries("public.orders").get(0).notReadYet()).isZero();
            List<String> customers = parity.status().summaries("public.customers").get(0).groups().stream().map(g -> g.sentence()).toList();
            assertThat(customers).containsExactly(
                    "written on the target outside replication: public.customers — 14 keys differ only in `created_at`, each by exactly +3600 s",
                    "written on the target outside replication: public.customers — 1 key differs only in `name`: letter case only");
            assertThat(parity.status().summaries("public.orders").get(0).groups()).extracting(g -> g.columns() + " " + g.cause() + " " + g.keys())
                    .containsExactlyInAnyOrder("[note] TRUNCATED 3", "[amount] ROUNDED 2", "[placed_at, receipt] MIXED 1");
        });
        var r = parity.status().repair("public.orders", List.of());
        assertThat(r.updates()).isEqualTo(6);
        try (Connection c = pg.target(); Statement st = c.createStatement()) {
            st.execute(r.sql());
            st.execute(parity.status().repair("public.customers", List.of()).sql());
        }
        awaitInSync();
    }

    @Test
    @Order(10)
    void shouldListAnUnkeyedTableAsUnverifiedAndNeverCallTheWholeInSync() throws Exception {
        parity.close();
        parity = null;
        ParityConfig all = ConfigLoader.parse(String.format("""
                name: it
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.*"]}
                api: {port: 0}
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), state), "it", Map.of());
        parity = Parity.start(all);
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
            assertThat(state()).isEqualTo("UNVERIFIED");
            assertThat(table("public.orders").get("state")).isEqualTo("IN_SYNC");
        });
        Map<String, Object> audit = table("public.audit_log");
        assertThat(audit.get("state")).isEqualTo("UNVERIFIED");
        assertThat((String) audit.get("reason")).contains("no primary key").contains("ALTER TABLE \"public\".\"audit_log\" REPLICA IDENTITY FULL");
        try (Connection c = pg.target(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'parity_it' AND tablename = 'audit_log'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("an unkeyed table is never published on the subscriber").isZero();
        }
    }

    @Test
    @Order(11)
    void shouldNameTheSideAndUrlButNotThePasswordWhenADatabaseIsUnreachable() throws Exception {
        ParityConfig bad = ConfigLoader.parse("""
                name: bad
                source: {url: "jdbc:postgresql://127.0.0.1:1/shop", user: parity, password: "s3cret"}
                target: {url: "jdbc:postgresql://127.0.0.1:1/shop", user: parity, password: "s3cret"}
                state: {dir: "%s"}
                """.formatted(Files.createTempDirectory("parity-bad")), "bad", Map.of());
        try (ParityRuntime runtime = new ParityRuntime(bad, Clock.systemUTC())) {
            assertThatThrownBy(runtime::start).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("source database at jdbc:postgresql://127.0.0.1:1/shop")
                    .message().doesNotContain("s3cret");
        }
    }

    @Test
    @Order(12)
    void shouldListThenDropEverythingParityCreatedAndLeaveReplicationWorking() throws Exception {
        parity.close();
        parity = null;
        Path file = Files.createTempFile("parity-it", ".yaml");
        Files.writeString(file, String.format("""
                name: it
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), state));
        java.io.StringWriter dry = new java.io.StringWriter();
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        int dryRun;
        int real;
        try {
            dryRun = dev.parity.api.cli.ParityCliAccess.run("cleanup", "-c", file.toString(), "--dry-run");
            dry.write(out.toString(java.nio.charset.StandardCharsets.UTF_8));
            out.reset();
            real = dev.parity.api.cli.ParityCliAccess.run("cleanup", "-c", file.toString());
        } finally {
            System.setOut(stdout);
        }
        assertThat(dryRun).isZero();
        assertThat(dry.toString()).contains("publication parity_it", "replication slot parity_it_source", "replication slot parity_it_target",
                "table public.parity_heartbeat");
        assertThat(real).isZero();
        assertThat(dev.parity.ingest.inspect.Cleanup.list(ConfigLoader.load(file, Map.of()).ingest()).values())
                .allSatisfy(objects -> assertThat(objects).isEmpty());
        pg.onSource("INSERT INTO customers VALUES (7777, 'after cleanup', now(), NULL)");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Connection c = pg.target(); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM customers WHERE id = 7777")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the user's own replication still runs").isEqualTo(1);
            }
        });
    }
}
