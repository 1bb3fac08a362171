package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.app.Parity;
import dev.parity.api.cli.ParityCliAccess;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.kafka.LocalConnect;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.DemoSchema;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code capture.mode: connect} end to end, on an external Kafka ({@link ExternalKafka}): a real Kafka Connect worker (distributed mode, in this JVM) runs
 * Debezium's PostgreSQL connector for each side of a real replicated pair, configured by what
 * {@code parity connect-config} printed and POSTed to its REST API; Parity reads their topics. The demo
 * schema (every type it holds, the keyless audit log too) reaches IN_SYNC, each row's hash in Parity's state
 * equals the one Parity's embedded capture gives the same row (a second instance on the same pair), and
 * target-only UPDATE, DELETE and INSERT are found by key; the gate answers READY on the clean pair and
 * NOT READY, naming the check, after the writes.
 */
class ConnectCaptureIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "connect-token";

    @Test
    void shouldVerifyAPairFromConnectorsOnKafkaConnectAsTheEmbeddedCaptureDoes() throws Exception {
        Path dir = Files.createTempDirectory("parity-connect");
        try (PostgresPair pg = PostgresPair.start(); ExternalKafka kafka = ExternalKafka.start(dir)) {
            pg.ddl(DemoSchema.DDL);
            pg.ddl("ALTER TABLE audit_log REPLICA IDENTITY FULL");
            pg.onSource(DemoSchema.load(200, 3), "INSERT INTO audit_log SELECT TIMESTAMPTZ '2024-06-01 00:00:00+00' + (g % 5) * INTERVAL '1 hour',"
                    + " 'event ' || (g % 7) FROM generate_series(1, 60) g");
            pg.replicate("shop");
            ParityProbe.awaitRows(pg::target, "orders", 600);
            ParityProbe.awaitRows(pg::target, "audit_log", 60);
            LocalConnect connect = LocalConnect.start(kafka.bootstrapServers(), "parity-it-connect");
            try {
                Path config = Files.writeString(dir.resolve("parity.yaml"), config("viaconnect", pg, kafka, "connect", dir.resolve("state-connect")));
                StringWriter out = new StringWriter();
                assertThat(ParityCliAccess.runCapturingOut(out, "connect-config", "-c", config.toString())).isZero();
                JsonNode connectors = JSON.readTree(out.toString());
                assertThat(connectors).hasSize(2);
                for (JsonNode c : connectors) {
                    assertThat(c.path("config").path("key.converter").asText()).isEqualTo("org.apache.kafka.connect.json.JsonConverter");
                    assertThat(c.path("config").fieldNames()).toIterable().noneMatch(k -> k.startsWith("offset.")); // the embedded engine's only
                    assertThat(c.path("config").path("table.include.list").asText()).contains("parity_heartbeat");
                    connect.post(c);
                }
                try (Parity p = Parity.start(ConfigLoader.load(config, Map.of()))) {
                    assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("CONNECT");
                    ParityProbe.awaitInSync(p);
                    pg.onSource("UPDATE customers SET name = name || '.'", "UPDATE orders SET note = note || '.'",
                            "INSERT INTO audit_log VALUES (TIMESTAMPTZ '2024-07-01 00:00:00+00', 'streamed')");
                    await().atMost(ParityProbe.VERDICT).until(() -> pg.count(Side.TARGET, "orders WHERE note LIKE '%.'") == 600);
                    ParityProbe.awaitInSync(p);
                    ParityProbe.awaitReady(p, TOKEN);
                    Map<String, Map<String, String>> viaConnect = hashes(p, pg);
                    try (Parity embedded = Parity.start(ConfigLoader.parse(config("embedded", pg, null, "embedded",
                            dir.resolve("state-embedded")), "embedded", Map.of()))) {
                        ParityProbe.awaitInSync(embedded);
                        Map<String, Map<String, String>> viaEngine = hashes(embedded, pg);
                        List<String> differences = new ArrayList<>();
                        viaConnect.forEach((table, rows) -> rows.forEach((key, hash) -> {
                            String other = viaEngine.getOrDefault(table, Map.of()).get(key);
                            if (!hash.equals(other)) {
                                differences.add(table + " " + key + ": connect " + hash + ", embedded " + other);
                            }
                        }));
                        assertThat(differences).as("every row hashes the same through Kafka Connect as through the embedded engine").isEmpty();
                        assertThat(viaEngine.keySet()).isEqualTo(viaConnect.keySet());
                        assertThat(viaConnect.get("public.orders")).hasSize(600);
                    }
                    pg.onTarget("UPDATE customers SET name = 'changed' WHERE id = 7", "DELETE FROM orders WHERE id = 8",
                            "INSERT INTO orders VALUES (9001, 1, 1.50, TIMESTAMP '2024-01-01 00:00:00', 'target only', NULL)");
                    await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                        assertThat(divergent(p, "public.customers")).containsExactly("MISMATCH 7");
                        assertThat(divergent(p, "public.orders")).containsExactlyInAnyOrder("MISSING_ON_TARGET 8", "EXTRA_ON_TARGET 9001");
                    });
                    JsonNode report = ParityProbe.readiness(p, TOKEN, "?timeout=30s");
                    assertThat(report.path("ready").asBoolean()).isFalse();
                    assertThat(ParityProbe.failing(report)).contains("divergent-keys");
                }
            } finally {
                connect.close();
            }
        }
    }

    /**
     * The MariaDB and MySQL connectors on the same kind of worker: binlog positions order its tables' topics against the
     * heartbeats, its schema history lives in a Kafka topic, and target-only writes are found by key.
     */
    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldVerifyABinlogPairFromConnectorsOnKafkaConnect(Engine engine) throws Exception {
        Path dir = Files.createTempDirectory("parity-connect-maria");
        try (BinlogPair db = BinlogPair.start(engine, "shop"); ExternalKafka kafka = ExternalKafka.start(dir)) {
            db.onSource("CREATE TABLE shop.events (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, amount DECIMAL(10,2), at DATETIME(6),"
                            + " flag TINYINT(1))",
                    "INSERT INTO shop.events SELECT seq, CONCAT('event ', seq), seq / 7, TIMESTAMP '2024-06-01 12:00:00.123456' + INTERVAL seq SECOND,"
                            + " seq % 2 FROM " + BinlogPair.seq(500),
                    "CREATE TABLE shop.log (at DATETIME NOT NULL, message VARCHAR(40))",
                    "INSERT INTO shop.log SELECT TIMESTAMP '2024-06-01 00:00:00' + INTERVAL (seq % 3) HOUR, 'same' FROM " + BinlogPair.seq(30));
            ParityProbe.awaitRows(db::target, "shop.events", 500);
            ParityProbe.awaitRows(db::target, "shop.log", 30);
            LocalConnect connect = LocalConnect.start(kafka.bootstrapServers(), "parity-it-connect");
            try {
                Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                        name: binlogconnect
                        source: {url: "%s", user: root}
                        target: {url: "%s", user: root}
                        tables: {include: ["shop.*"]}
                        kafka: {bootstrapServers: "%s"}
                        capture: {mode: connect}
                        verify: {interval: 1h}
                        api: {port: 0, token: %s}
                        state: {dir: "%s"}
                        """, db.sourceUrl(), db.targetUrl(), kafka.bootstrapServers(), TOKEN, dir.resolve("state")));
                StringWriter out = new StringWriter();
                assertThat(ParityCliAccess.runCapturingOut(out, "connect-config", "-c", config.toString())).isZero();
                for (JsonNode c : JSON.readTree(out.toString())) {
                    assertThat(c.path("config").path("schema.history.internal").asText()).endsWith("KafkaSchemaHistory");
                    connect.post(c);
                }
                try (Parity p = Parity.start(ConfigLoader.load(config, Map.of()))) {
                    ParityProbe.awaitInSync(p);
                    db.onSource("UPDATE shop.events SET name = CONCAT(name, '.')", "INSERT INTO shop.log VALUES ('2024-07-01 00:00:00', 'same')");
                    await().atMost(ParityProbe.VERDICT).until(() -> db.count(Side.TARGET, "shop.events WHERE name LIKE '%.'") == 500);
                    ParityProbe.awaitInSync(p);
                    await().atMost(ParityProbe.VERDICT).untilAsserted(() -> { // copies of a keyless row, counted once each
                        assertThat(p.status().view().table("shop.log").source().count()).isEqualTo(31);
                        assertThat(p.status().view().table("shop.log").target().count()).isEqualTo(31);
                    });
                    ParityProbe.awaitReady(p, TOKEN);
                    db.onTarget("UPDATE shop.events SET amount = amount + 1 WHERE id = 7", "DELETE FROM shop.events WHERE id = 8",
                            "INSERT INTO shop.events VALUES (9001, 'target only', 1, NULL, 0)");
                    await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(divergent(p, "shop.events"))
                            .containsExactlyInAnyOrder("MISMATCH 7", "MISSING_ON_TARGET 8", "EXTRA_ON_TARGET 9001"));
                }
            } finally {
                connect.close();
            }
        }
    }

    /** Per table, each row's key and its source-side hash in Parity's state (read by key from a JDBC scan). */
    private static Map<String, Map<String, String>> hashes(Parity p, PostgresPair pg) throws Exception {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (var t : p.runtime().verifiedTables()) {
            if (t.byContent()) {
                continue; // counted as copies: compared by the table digests below
            }
            Map<String, String> rows = new HashMap<>();
            try (var c = pg.source()) {
                var schema = new dev.parity.ingest.schema.PostgresSchemaReader().read(c, List.of(t.sourceName())).get(t.sourceName());
                var plan = dev.parity.ingest.verify.TableScan.plan(Engine.POSTGRESQL, t.sourceName(), t.mappedId(), t.key(), schema, null, 500);
                dev.parity.ingest.verify.TableScan.prepare(c, Engine.POSTGRESQL);
                Object[] after = null;
                do {
                    var page = plan.scan().read(c, after);
                    for (var row : page.rows()) {
                        var state = p.status().view().key(row.key());
                        rows.put(dev.parity.reconciler.canonical.CanonicalReader.keyColumns(row.key()).toString(),
                                state == null || state.side(Side.SOURCE) == null ? "absent" : state.side(Side.SOURCE).hash().toHex());
                    }
                    after = page.lastKey();
                } while (after != null);
                c.setAutoCommit(true);
            }
            out.put(t.mappedId(), rows);
        }
        for (var t : p.runtime().verifiedTables()) {
            var summary = p.status().view().table(t.mappedId());
            out.put(t.mappedId() + " digests", Map.of("source", summary.source().sum().toHex() + "/" + summary.source().count(),
                    "target", summary.target().sum().toHex() + "/" + summary.target().count()));
        }
        return out;
    }

    private static List<String> divergent(Parity p, String table) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> d : ParityProbe.divergences(p, table, 100)) {
            if ("DIVERGENT".equals(d.get("state"))) {
                out.add(d.get("kind") + " " + ((Map<?, ?>) d.get("key")).get("id"));
            }
        }
        return out;
    }

    private static String config(String name, PostgresPair pg, ExternalKafka kafka, String mode, Path state) {
        return String.format("""
                name: %s
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.*"]}
                kafka: {bootstrapServers: "%s"}
                capture: {mode: %s}
                snapshot: {method: %s}
                verify: {interval: 1h}
                api: {port: 0, token: %s}
                state: {dir: "%s"}
                """, name, pg.sourceUrl(), pg.targetUrl(), kafka == null ? "" : kafka.bootstrapServers(), mode,
                "embedded".equals(mode) ? "debezium" : "auto", TOKEN, state); // the embedded engine's snapshot: its hashes, not a JDBC load's
    }
}
