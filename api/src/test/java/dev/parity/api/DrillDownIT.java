package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.app.Parity;
import dev.parity.api.cli.ParityCliAccess;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Which column, what changed and why, on a real MariaDB pair and a real MySQL pair whose replica runs one hour ahead
 * ({@code default-time-zone=+01:00}): every kind of quiet damage a cutover meets, made on the replica
 * with its binary log off (so only the verification sweep can see it), comes out as one group per
 * cause with its evidence, and {@code parity diff} leads with the group sentence.
 */
class DrillDownIT {
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

    /** Every kind of quiet damage on one binlog engine's pair; one pair and one Parity per engine. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Contract {
        final Engine engine;

        Contract(Engine engine) {
            this.engine = engine;
        }

        private final String TOKEN = "dr1ll";
        private final ObjectMapper JSON = new ObjectMapper();
        private BinlogPair db;
        private Parity parity;

        @BeforeAll
        void start() throws Exception {
            db = BinlogPair.start(engine, "shop", "--default-time-zone=+01:00");
            db.onSource("CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, paid_at TIMESTAMP NULL, note VARCHAR(40), amount DECIMAL(10,3),"
                            + " label VARCHAR(40) CHARACTER SET utf8mb4, extra VARCHAR(10) NULL)",
                    "SET time_zone = '+00:00'",
                    "INSERT INTO shop.orders SELECT seq, TIMESTAMP '2026-02-01 00:00:00' + INTERVAL seq MINUTE, CONCAT('n', seq), seq,"
                            + " CONCAT('label ', seq), NULL FROM " + BinlogPair.seq(200),
                    "UPDATE shop.orders SET note = CONCAT('a much longer note ', id) WHERE id BETWEEN 21 AND 25",
                    "UPDATE shop.orders SET amount = id + 0.125 WHERE id BETWEEN 31 AND 35",
                    "UPDATE shop.orders SET label = CONCAT('Crème brûlée ', id) WHERE id BETWEEN 41 AND 43");
            await().atMost(ParityProbe.VERDICT).until(() -> count("SELECT COUNT(*) FROM shop.orders WHERE label LIKE 'Crème%'") == 3);
            parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: drill
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    tables: {include: ["shop.orders"]}
                    api: {port: 0, token: %s}
                    state: {dir: "%s"}
                    """, db.sourceUrl(), db.targetUrl(), TOKEN, Files.createTempDirectory("parity-drill")), "drill", Map.of()));
        }

        private long count(String sql) throws Exception {
            try (var c = db.target(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @AfterAll
        void stop() throws Exception {
            ParityProbe.closeAll(parity, db);
        }

        @Test
        void shouldNameTheColumnTheCauseAndTheEvidenceOfEveryKindOfQuietDamage() throws Exception {
            ParityProbe.awaitInSync(parity);
            String shifted = LongStream.rangeClosed(1, 14).mapToObj(String::valueOf).collect(Collectors.joining(","));
            db.onTarget("SET SESSION sql_log_bin = 0", "SET SESSION sql_mode = ''",
                    // the origin story: rows rewritten by a session whose time zone is one hour off
                    "SET SESSION time_zone = '-01:00'",
                    "UPDATE shop.orders SET paid_at = CONVERT_TZ(paid_at, '-01:00', '+00:00') WHERE id IN (" + shifted + ")",
                    "SET SESSION time_zone = '+00:00'",
                    "ALTER TABLE shop.orders MODIFY note VARCHAR(10), MODIFY amount DECIMAL(10,1)", // narrower, non-strict: cut and rounded
                    "UPDATE shop.orders SET label = CONVERT(CAST(label AS BINARY) USING latin1) WHERE id BETWEEN 41 AND 43", // double-encoded
                    "UPDATE shop.orders SET label = CONCAT(label, '   ') WHERE id = 51",
                    "UPDATE shop.orders SET label = UPPER(label) WHERE id = 52",
                    "UPDATE shop.orders SET extra = '' WHERE id = 53",
                    "DELETE FROM shop.orders WHERE id = 61",
                    "INSERT INTO shop.orders VALUES (1000, NULL, 'extra', 1, 'only here', NULL)");
            // No round asked for: the sweep re-reads continuously (verify.interval 10 s), so the next round finds them.
            await().atMost(ParityProbe.VERDICT).untilAsserted(() ->
                    assertThat(ParityProbe.table(parity, "shop.orders")).containsEntry("divergentKeys", 14L + 5 + 5 + 3 + 1 + 1 + 1 + 1 + 1));

            // Groups, once every divergent row was read: one per cause, each with its evidence.
            Map<String, JsonNode> byCause = new java.util.HashMap<>();
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                JsonNode summary = get("/api/v1/divergences/summary?table=shop.orders", null); // recomputed at most once a second
                byCause.clear();
                List<String> shape = new ArrayList<>();
                for (JsonNode g : summary.path("groups")) {
                    shape.add(g.path("columns") + " " + g.path("cause").asText() + " " + g.path("keys").asLong());
                    byCause.put(g.path("cause").asText() + " " + g.path("columns"), g);
                }
                assertThat(summary.path("tables").get(0).path("notReadYet").asLong()).isZero();
                assertThat(shape).containsExactlyInAnyOrder("[\"paid_at\"] TIME_SHIFT 14", "[\"note\"] TRUNCATED 5", "[\"amount\"] ROUNDED 5",
                        "[\"label\"] ENCODING 3", "[\"label\"] PADDING 1", "[\"label\"] CASE 1", "[\"extra\"] NULL_VS_EMPTY 1",
                        "[] MISSING_ON_TARGET 1", "[] EXTRA_ON_TARGET 1");
            });
            JsonNode time = byCause.get("TIME_SHIFT [\"paid_at\"]");
            assertThat(time.path("detail").asText()).isEqualTo("+3600 s");
            assertThat(time.path("sentence").asText()).isEqualTo("shop.orders — 14 keys differ only in `paid_at`, each by exactly +3600 s");
            assertThat(time.path("evidence").toString()).contains("time zone").contains("+01:00").contains("likely a time-zone mismatch");
            assertThat(time.path("origins").path("UNLOGGED_WRITE").asLong()).isEqualTo(14);
            assertThat(time.path("evidence").toString()).contains("bypassed the log");
            JsonNode cut = byCause.get("TRUNCATED [\"note\"]");
            assertThat(cut.path("detail").asText()).isEqualTo("the target column holds 10");
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(get("/api/v1/divergences/summary?table=shop.orders", null)
                    .path("groups").toString()).contains("schema: source note varchar(40)"));
            assertThat(byCause.get("ROUNDED [\"amount\"]").path("detail").asText()).startsWith("to 1 decimal place");
            assertThat(byCause.get("ENCODING [\"label\"]").path("detail").asText()).contains("UTF-8 read as");

            // Per key, with the token: the values; without it: columns and causes, never a value.
            JsonNode withToken = get("/api/v1/divergences?table=shop.orders&limit=100", TOKEN);
            JsonNode key7 = find(withToken, 7);
            assertThat(key7.path("cause").asText()).isEqualTo("TIME_SHIFT");
            assertThat(key7.path("origin").asText()).isEqualTo("UNLOGGED_WRITE");
            assertThat(key7.path("columns").get(0).path("source").asText()).isEqualTo("2026-02-01T00:07:00Z");
            assertThat(key7.path("columns").get(0).path("target").asText()).isEqualTo("2026-02-01T01:07:00Z");
            JsonNode anonymous = get("/api/v1/divergences?table=shop.orders&limit=100", null);
            assertThat(find(anonymous, 7).path("columns").get(0).has("source")).isFalse();
            assertThat(find(anonymous, 7).path("columns").get(0).path("detail").asText()).isEqualTo("+3600 s");
            assertThat(anonymous.toString()).doesNotContain("Crème").doesNotContain("a much longer note");
            assertThat(find(anonymous, 61).path("cause").asText()).isEqualTo("MISSING_ON_TARGET");

            // On demand, for any key: read now from both sides.
            JsonNode now7 = get("/api/v1/diff?table=shop.orders&key=" + java.net.URLEncoder.encode("{\"id\": 7}", StandardCharsets.UTF_8), TOKEN);
            assertThat(now7.path("asReconciled").asBoolean()).isTrue();
            assertThat(now7.path("columns").get(0).path("name").asText()).isEqualTo("paid_at");
            assertThat(now7.path("columns").get(0).path("target").asText()).isEqualTo("2026-02-01T01:07:00Z");
            JsonNode now100 = get("/api/v1/diff?table=shop.orders&key=" + java.net.URLEncoder.encode("{\"id\": 100}", StandardCharsets.UTF_8), null);
            assertThat(now100.path("onSource").asBoolean()).isTrue();
            assertThat(now100.path("onTarget").asBoolean()).isTrue();
            assertThat(now100.path("columns").size()).isZero();

            // parity diff leads with the group sentence, before any key.
            PrintStream out = System.out;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int code;
            try {
                System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
                code = ParityCliAccess.run("diff", "--url", "http://127.0.0.1:" + parity.port(), "--table", "shop.orders", "--token", TOKEN);
            } finally {
                System.setOut(out);
            }
            String text = printed.toString(StandardCharsets.UTF_8);
            assertThat(code).isEqualTo(1);
            assertThat(text.lines().findFirst().orElse("")).isEqualTo("shop.orders — 14 keys differ only in `paid_at`, each by exactly +3600 s");
            assertThat(text).contains("evidence: source time zone").contains("TIME_SHIFT").contains("\"2026-02-01T01:07:00Z\"");

            // The repair: SQL in the target's dialect, with values; refused without the token.
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + parity.port() + "/api/v1/repair?table=shop.orders")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            java.nio.file.Path script = Files.createTempFile("repair", ".sql");
            assertThat(ParityCliAccess.run("repair", "--url", "http://127.0.0.1:" + parity.port(), "--table", "shop.orders", "--token", TOKEN,
                    "--out", script.toString())).isZero();
            String sql = Files.readString(script);
            assertThat(sql).contains("-- Parity repair for shop.orders").contains("1 insert(s), 30 update(s), 1 delete(s)")
                    .contains("schema: source note varchar(40)").contains("SET SESSION time_zone = '+00:00';")
                    .contains("UPDATE `shop`.`orders` SET `paid_at` = '2026-02-01 00:07:00.000000'")
                    .containsPattern("UPDATE `shop`.`orders` SET `paid_at` = [^\\n]* WHERE `id` = 7 AND [^\\n]*`paid_at` <=> '2026-02-01 01:07:00.000000'")
                    .contains("DELETE FROM `shop`.`orders` WHERE `id` = 1000 AND ");
            // As the header says: the narrowed columns are widened first, then the script brings every key back.
            db.onTarget("SET SESSION sql_log_bin = 0", "ALTER TABLE shop.orders MODIFY note VARCHAR(40), MODIFY amount DECIMAL(10,3)");
            try (var c = db.target(); var st = c.createStatement()) {
                for (String line : sql.lines().toList()) {
                    if (!line.isBlank() && !line.startsWith("--")) {
                        st.execute(line.substring(0, line.length() - 1));
                    }
                }
            }
            ParityProbe.awaitInSync(parity);
        }

        private JsonNode find(JsonNode divergences, long id) {
            for (JsonNode d : divergences.path("divergences")) {
                if (d.path("key").path("id").asLong() == id) {
                    return d;
                }
            }
            throw new AssertionError("no divergence for id " + id + " in " + divergences);
        }

        private JsonNode get(String path, String token) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + parity.port() + path));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }
}
