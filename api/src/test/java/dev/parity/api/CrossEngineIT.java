package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.cli.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.MariaDbPair;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * MariaDB source, PostgreSQL target, the same rows loaded into both directly (no replication between
 * engines here, so verdicts run in grace-period mode), covering every type pair README calls comparable.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossEngineIT {
    private static final int ROWS = 200;
    private static final String TOKEN = "cr0ss";
    private static MariaDbPair maria;
    private static EmbeddedPostgres pg;
    private static Parity parity;

    private static final String MARIA_DDL = "CREATE TABLE shop.items (id BIGINT PRIMARY KEY, flag TINYINT(1), small SMALLINT,"
            + " u INT UNSIGNED, big BIGINT UNSIGNED, price DECIMAL(12,3), ratio DOUBLE, f FLOAT, name VARCHAR(50), body TEXT,"
            + " data VARBINARY(16), d DATE, t TIME(6), dt DATETIME(6), ts TIMESTAMP(6) NULL, yr YEAR, kind ENUM('a','b','c'),"
            + " tags SET('x','y','z'), nothing VARCHAR(5))";
    private static final String PG_DDL = "CREATE TABLE public.items (id BIGINT PRIMARY KEY, flag BOOLEAN, small SMALLINT,"
            + " u BIGINT, big NUMERIC(20,0), price NUMERIC(12,3), ratio DOUBLE PRECISION, f REAL, name VARCHAR(50), body TEXT,"
            + " data BYTEA, d DATE, t TIME(6), dt TIMESTAMP(6), ts TIMESTAMPTZ(6), yr SMALLINT, kind TEXT, tags TEXT, nothing VARCHAR(5))";
    private static final String INSERT = "INSERT INTO %s (id, flag, small, u, big, price, ratio, f, name, body, data, d, t, dt, ts, yr, kind, tags, nothing)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Values equal only under the column rules configured for them: MariaDB strips CHAR padding that
     * PostgreSQL keeps, a MariaDB TIMESTAMP (an instant) against a PostgreSQL timestamp written in Berlin
     * local time, and doubles that differ past their 12th significant digit.
     */
    private static final String RULED_MARIA = "CREATE TABLE shop.ruled (id BIGINT PRIMARY KEY, code CHAR(8), at TIMESTAMP(6) NULL, score DOUBLE)";
    private static final String RULED_PG = "CREATE TABLE public.ruled (id BIGINT PRIMARY KEY, code CHAR(8), at TIMESTAMP(6), score DOUBLE PRECISION)";

    @BeforeAll
    static void start() throws Exception {
        maria = MariaDbPair.start("shop");
        maria.onSource(MARIA_DDL, RULED_MARIA);
        pg = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(PG_DDL);
            st.execute(RULED_PG);
        }
        try (Connection m = maria.source(); Connection p = pg.getPostgresDatabase().getConnection()) {
            try (Statement st = m.createStatement()) {
                st.execute("SET time_zone = '+00:00'");
            }
            load(m, "shop.items", true);
            load(p, "public.items", false);
            loadRuled(m, "shop.ruled", true);
            loadRuled(p, "public.ruled", false);
        }
        parity = Parity.start(ConfigLoader.parse(String.format("""
                name: cross
                source: {url: "%s", user: root}
                target: {url: "%s", user: postgres}
                tables:
                  include: ["shop.items", "shop.ruled"]
                  map: {"shop.*": "public.*"}
                  columns:
                    shop.ruled.code: {padding: ignore}
                    shop.ruled.at: {zone: Europe/Berlin}
                    shop.ruled.score: {digits: 12}
                heartbeat: {enabled: false, grace: 3s}
                snapshot: {method: debezium}
                api: {port: 0, token: "%s"}
                state: {dir: "%s"}
                """, maria.sourceUrl(), pg.getJdbcUrl("postgres", "postgres"), TOKEN, Files.createTempDirectory("parity-cross")), "cross", Map.of()));
    }

    private static final int RULED = 50;

    /** The ruled table's rows: equal on both sides only under the rules (see {@link #RULED_MARIA}). */
    private static void loadRuled(Connection c, String table, boolean mariadb) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, code, at, score) VALUES (?, ?, ?, ?)")) {
            for (int i = 1; i <= RULED; i++) {
                LocalDateTime utc = LocalDateTime.of(2024, 3, 1, 7, 0).plusMinutes(i); // March: Berlin is UTC+1
                ps.setLong(1, i);
                ps.setString(2, "c" + i);
                ps.setObject(3, mariadb ? utc : utc.plusHours(1)); // MariaDB's session is at +00:00
                ps.setDouble(4, mariadb ? i / 10.0 + 0.2 : Math.round((i / 10.0 + 0.2) * 1e6) / 1e6);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The same logical values on both sides, typed as each engine's JDBC driver expects them. */
    private static void load(Connection c, String table, boolean mariadb) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(String.format(INSERT, table))) {
            for (int i = 1; i <= ROWS; i++) {
                ps.setLong(1, i);
                ps.setBoolean(2, i % 2 == 0);
                ps.setShort(3, (short) (i - 100));
                ps.setLong(4, 4_000_000_000L + i);
                ps.setBigDecimal(5, new BigDecimal("18446744073709551000").add(BigDecimal.valueOf(i)));
                ps.setBigDecimal(6, new BigDecimal(i).divide(new BigDecimal(8)));
                ps.setDouble(7, i / 4.0);
                ps.setFloat(8, i / 2.0f);
                ps.setString(9, "naïve ✓ " + i);
                ps.setString(10, "body ".repeat(i % 7));
                ps.setBytes(11, new byte[] {(byte) i, 0, (byte) 255});
                ps.setObject(12, LocalDate.of(2024, 1, 1).plusDays(i));
                ps.setObject(13, LocalTime.of(12, 0).plusNanos(i * 1_000L));
                ps.setObject(14, LocalDateTime.of(2024, 6, 1, 12, 0).plusSeconds(i).plusNanos(123_456_000L));
                OffsetDateTime ts = OffsetDateTime.of(2024, 3, 1, 8, 0, 0, 0, ZoneOffset.UTC).plusMinutes(i);
                if (mariadb) {
                    ps.setObject(15, ts.toLocalDateTime()); // the session is at +00:00
                } else {
                    ps.setObject(15, ts);
                }
                ps.setShort(16, (short) (2000 + i % 30));
                ps.setString(17, List.of("a", "b", "c").get(i % 3));
                ps.setString(18, i % 2 == 0 ? "x,z" : "y");
                ps.setNull(19, java.sql.Types.VARCHAR);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        ParityProbe.closeAll(parity, pg, maria);
    }

    @Test
    @Order(1)
    void shouldFindTheSameDatasetInSyncAcrossEngines() {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(parity, null, 10)).isEmpty();
            assertThat(ParityProbe.status(parity).get("state")).isEqualTo("IN_SYNC");
        });
        assertThat(ParityProbe.tableDoc(parity, "shop.items")).containsEntry("sourceRows", (long) ROWS).containsEntry("targetRows", (long) ROWS)
                .containsEntry("targetTable", "public.items");
        assertThat(ParityProbe.status(parity).get("verdicts").toString()).startsWith("GRACE_PERIOD");
    }

    @Test
    @Order(2)
    void shouldReadEveryRowByJdbcToTheSameHashAsTheChangeStreamOnBothEngines() throws Exception {
        try (Connection m = maria.source()) {
            ParityProbe.Reread r = ParityProbe.rereadAndCompare(parity, dev.parity.reconciler.model.Side.SOURCE,
                    dev.parity.ingest.engine.Engine.MARIADB, m, "shop.items", "shop.items", List.of("id"));
            assertThat(r.mismatched()).as("MariaDB rows whose JDBC reading hashes differently").isEmpty();
            assertThat(r.rows()).isEqualTo(ROWS);
            assertThat(r.matched()).isEqualTo(ROWS);
        }
        try (Connection p = pg.getPostgresDatabase().getConnection()) {
            ParityProbe.Reread r = ParityProbe.rereadAndCompare(parity, dev.parity.reconciler.model.Side.TARGET,
                    dev.parity.ingest.engine.Engine.POSTGRESQL, p, "public.items", "shop.items", List.of("id"));
            assertThat(r.mismatched()).as("PostgreSQL rows whose JDBC reading hashes differently").isEmpty();
            assertThat(r.matched()).isEqualTo(ROWS);
        }
    }

    @Test
    @Order(3)
    void shouldFindExactlyTheOneValueChangedOnOneSide() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE public.items SET price = price + 0.001 WHERE id = 77");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(ParityProbe.divergences(parity, null, 10)).singleElement().satisfies(d -> {
                    assertThat(d.get("table")).isEqualTo("shop.items");
                    assertThat(d.get("key")).isEqualTo(Map.of("id", 77L));
                    assertThat(d.get("state")).isEqualTo("DIVERGENT");
                }));
    }

    @Test
    @Order(4)
    void shouldNameTheCauseAcrossEnginesAndRepairEveryTypeInThePostgresDialect() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE public.items SET name = convert_from(convert_to(name, 'UTF8'), 'LATIN1') WHERE id = 5"); // UTF-8 read as Latin-1
            st.execute("DELETE FROM public.items WHERE id BETWEEN 10 AND 20"); // the repair must insert every type
            st.execute("UPDATE public.items SET flag = NOT flag, small = small + 1, u = u + 1, big = big + 1, price = price + 1, ratio = ratio + 1,"
                    + " f = f + 1, name = name || 'x', body = body || 'x', data = '\\x00'::bytea, d = d + 1, t = t + interval '1 second',"
                    + " dt = dt + interval '1 second', ts = ts + interval '1 second', yr = yr + 1, kind = 'c', tags = 'z', nothing = 'n'"
                    + " WHERE id = 30"); // ... and update every type
            st.execute("INSERT INTO public.items (id) VALUES (5000)");
        }
        java.util.Set<Long> expected = new java.util.HashSet<>(List.of(5L, 30L, 77L, 5000L));
        for (long id = 10; id <= 20; id++) {
            expected.add(id);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ParityProbe.divergences(parity, "shop.items", 100))
                .filteredOn(d -> "DIVERGENT".equals(d.get("state"))).extracting(d -> (Long) ((Map<?, ?>) d.get("key")).get("id"))
                .containsExactlyInAnyOrderElementsOf(expected));
        // Summaries are recomputed at most once a second: wait on what they say, not on a count seen earlier.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var summary = parity.status().summaries("shop.items").get(0);
            assertThat(summary.notReadYet()).isZero();
            assertThat(summary.groups()).anySatisfy(g -> {
                assertThat(g.cause()).isEqualTo("ENCODING");
                assertThat(g.columns()).containsExactly("name");
                assertThat(g.sampleKeys()).containsExactly(Map.of("id", 5L));
            });
        });
        // The summary and a divergence's columns are two reads of the drill-down: wait on the latter too.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ParityProbe.divergences(parity, "shop.items", 100))
                .filteredOn(d -> d.get("key").equals(Map.of("id", 30L))).singleElement()
                .satisfies(d -> assertThat((List<?>) d.get("columns")).hasSize(18)));

        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + parity.port() + "/api/v1/repair?table=shop.items"))
                .header("Authorization", "Bearer " + TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("11 insert(s), 3 update(s), 1 delete(s)").contains("SET TIME ZONE 'UTC';")
                .contains("DELETE FROM \"public\".\"items\" WHERE \"id\" = 5000;");
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(r.body()); // the whole script, as psql -f would run it
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(parity, null, 10)).isEmpty();
            assertThat(ParityProbe.status(parity).get("state")).isEqualTo("IN_SYNC");
        });
    }

    @Test
    @Order(5)
    void shouldCompareByTheColumnRulesItWasGivenAndStillFindARealDifference() throws Exception {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() ->
                assertThat(ParityProbe.tableDoc(parity, "shop.ruled")).containsEntry("state", "IN_SYNC").containsEntry("sourceRows", (long) RULED)
                        .containsEntry("targetRows", (long) RULED));
        try (Connection m = maria.source(); Connection p = pg.getPostgresDatabase().getConnection()) {
            ParityProbe.Reread source = ParityProbe.rereadAndCompare(parity, dev.parity.reconciler.model.Side.SOURCE,
                    dev.parity.ingest.engine.Engine.MARIADB, m, "shop.ruled", "shop.ruled", List.of("id"));
            ParityProbe.Reread target = ParityProbe.rereadAndCompare(parity, dev.parity.reconciler.model.Side.TARGET,
                    dev.parity.ingest.engine.Engine.POSTGRESQL, p, "public.ruled", "shop.ruled", List.of("id"));
            assertThat(source.matched()).as("the rules apply to JDBC reads as to the stream: %s", source.mismatched()).isEqualTo(RULED);
            assertThat(target.matched()).as("%s", target.mismatched()).isEqualTo(RULED);
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE public.ruled SET code = 'c7x' WHERE id = 7"); // a real difference, not padding
            st.execute("UPDATE public.ruled SET at = at + INTERVAL '1 hour' WHERE id = 8"); // an hour's shift still shows
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ParityProbe.divergences(parity, "shop.ruled", 10))
                .extracting(d -> d.get("key") + " " + d.get("state")).containsExactlyInAnyOrder("{id=7} DIVERGENT", "{id=8} DIVERGENT"));
    }
}
