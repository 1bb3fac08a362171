package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.ingest.sweep.Sweeper;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Types beyond the README's table, end to end: Parity's own load reads them (JDBC), every row is then
 * rewritten on the source so the state holds what the change streams gave (Debezium), and a sweep round
 * re-reads every row (JDBC again) and must find each equal to the stream's hash; a target-only change of
 * each type is then DIVERGENT with its key. A type Parity cannot read yet is named per column in status, and
 * {@code compare: false} takes such a column out of comparison.
 */
class TypesIT {
    @Test
    void shouldReadPostgresNetworkIntervalArrayRangePointAndBitTypesAsTheStreamGivesThem() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE extra (id BIGINT PRIMARY KEY, ip INET, net CIDR, mac MACADDR, span INTERVAL, ints INT[], big BIGINT[],"
                            + " words TEXT[], flags BIT(12), one BIT(1), vb VARBIT(20), at POINT, r INT4RANGE, r8 INT8RANGE, nr NUMRANGE,"
                            + " dr DATERANGE, tr TSRANGE, tzr TSTZRANGE, n INT NOT NULL)",
                    "CREATE TABLE shapes (id BIGINT PRIMARY KEY, b BOX, n INT NOT NULL)", HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO extra SELECT g, ('10.0.' || (g % 256) || '.' || (g % 7) || '/24')::inet, ('192.168.' || (g % 256) || '.0/24')::cidr,"
                    + " ('08:00:2b:01:02:' || lpad(to_hex(g % 256), 2, '0'))::macaddr,"
                    + " make_interval(years => g % 3, months => g % 13, days => g % 40, hours => g % 30, mins => g % 61, secs => g / 7.0),"
                    + " ARRAY[g, g + 1, NULL], ARRAY[g::bigint * 1000000000], ARRAY['a' || g, 'it''s \"x\"', NULL], (g * 37 % 4096)::bit(12),"
                    + " (g % 2)::bit(1), substr(((g * 7919) % 1048576)::bit(20)::text, 1 + g % 19)::varbit, point(g / 3.0, -g * 1.5),"
                    + " int4range(g, g + 10), int8range(g::bigint * 1000000000, NULL), numrange(g / 7.0, g), daterange(DATE '2024-01-01' + g, DATE '2025-03-01', '[]'),"
                    + " tsrange(TIMESTAMP '2024-01-01 00:00:00' + g * INTERVAL '1 minute 0.5 seconds', NULL),"
                    + " tstzrange(TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * INTERVAL '1 hour', TIMESTAMPTZ '2025-01-01 00:00:00+00'), 0"
                    + " FROM generate_series(1, 200) g",
                    "UPDATE extra SET ip = NULL, span = NULL, ints = NULL, words = '{}', vb = NULL, at = NULL, r = NULL, tzr = 'empty' WHERE id = 200",
                    "UPDATE extra SET span = INTERVAL '-1 day -02:03:04.5' WHERE id = 199",
                    "INSERT INTO shapes SELECT g, box(point(g, g), point(0, 0)), 0 FROM generate_series(1, 200) g");
            pg.replicate("types");
            ParityProbe.awaitRows(pg::target, "extra", 200);
            ParityProbe.awaitRows(pg::target, "shapes", 200);
            try (Parity p = start(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.*", "types-pg", "")) {
                ParityProbe.awaitInSync(p);
                pg.onSource("UPDATE extra SET n = n + 1"); // every row through the streams
                await().atMost(ParityProbe.VERDICT).until(() -> pg.count(dev.parity.reconciler.model.Side.TARGET, "extra WHERE n = 1") == 200);
                ParityProbe.awaitInSync(p);
                assertSweepAgrees(p, "public.extra");
                // a box the stream compares but no JDBC read can: said per column, on each side
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(columnNotes(p, "public.shapes"))
                        .extracting(c -> c.get("column") + " " + c.get("side") + " " + c.get("state"))
                        .containsExactlyInAnyOrder("b source UNVERIFIED", "b target UNVERIFIED"));
                assertThat(columnNotes(p, "public.shapes").get(0).get("reason").toString()).contains("box", "compare: false");
                pg.onTarget("UPDATE extra SET span = span + INTERVAL '1 microsecond' WHERE id = 3", "UPDATE extra SET ints[2] = -1 WHERE id = 4",
                        "UPDATE extra SET ip = '10.9.9.9' WHERE id = 5", "UPDATE extra SET words = ARRAY['changed'] WHERE id = 6",
                        "UPDATE extra SET flags = ~flags WHERE id = 8", "UPDATE extra SET one = ~one WHERE id = 9",
                        "UPDATE extra SET vb = vb || B'1' WHERE id = 10", "UPDATE extra SET at = point(0, 0) WHERE id = 11",
                        "UPDATE extra SET r = int4range(1, 2) WHERE id = 12", "UPDATE extra SET tzr = tstzrange(lower(tzr) + INTERVAL '1 hour', NULL) WHERE id = 13",
                        "UPDATE extra SET dr = daterange(lower(dr), NULL) WHERE id = 14");
                awaitDivergent(p, "public.extra", 3L, 4L, 5L, 6L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
            }
            // The same box column taken out of comparison: the table is then fully re-read and a change of it raises nothing
            try (Parity p = start(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.shapes", "types-pg-box",
                    ", columns: {public.shapes.b: {compare: false}}")) {
                ParityProbe.awaitInSync(p);
                assertThat(columnNotes(p, "public.shapes")).extracting(c -> c.get("column") + " " + c.get("state"))
                        .containsExactly("b NOT_COMPARED");
                List<Sweeper.TableResult> results = ParityProbe.sweep(p);
                assertThat(results).filteredOn(r -> r.table().equals("public.shapes")).hasSize(2)
                        .allSatisfy(r -> assertThat(r.complete()).as(r.toString()).isTrue());
                pg.onTarget("UPDATE shapes SET b = box(point(9, 9), point(1, 1)) WHERE id = 3", "UPDATE shapes SET n = 7 WHERE id = 4");
                awaitDivergent(p, "public.shapes", 4L);
                ParityProbe.sweep(p);
                assertThat(ParityProbe.divergences(p, "public.shapes", 100)).extracting(d -> (Object) ((Map<?, ?>) d.get("key")).get("id"))
                        .containsExactly(4L);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldReadMariaDbAndMySqlSetEnumYearBitAndSpatialTypes(Engine engine) throws Exception {
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            // A FLOAT of more than six significant digits (seq / 7): sent as text it is cut to six, so Parity reads it as a DOUBLE.
            db.onSource("CREATE TABLE shop.extra (id BIGINT PRIMARY KEY, tags SET('a','b','c'), mood ENUM('calm','stormy'), y YEAR, flags BIT(12),"
                            + " one BIT(1), fl FLOAT, n INT NOT NULL)",
                    "INSERT INTO shop.extra SELECT seq, ELT(1 + seq % 4, 'a', 'a,b', 'b,c', ''), ELT(1 + seq % 2, 'calm', 'stormy'), 1990 + seq % 50,"
                            + " seq * 37 % 4096, seq % 2, seq / 7, 0 FROM " + BinlogPair.seq(200),
                    "CREATE TABLE shop.places (id BIGINT PRIMARY KEY, at POINT, g GEOMETRY, path LINESTRING, area POLYGON, n INT NOT NULL)",
                    // MySQL 8 reads SRID 4326 coordinates latitude first and refuses one beyond ±90: seq % 90 fits both engines.
                    "INSERT INTO shop.places SELECT seq, POINT(seq / 3, -seq * 1.5), ST_GeomFromText(CONCAT('POINT(', seq % 90, ' 1)'), 4326),"
                            + " ST_GeomFromText(CONCAT('LINESTRING(0 0, ', seq, ' ', seq, ', 1 2)')),"
                            + " ST_GeomFromText(CONCAT('POLYGON((0 0, ', seq, ' 0, ', seq, ' ', seq, ', 0 0))')), 0 FROM " + BinlogPair.seq(200),
                    "UPDATE shop.places SET at = NULL, g = NULL WHERE id = 200");
            ParityProbe.awaitRows(db::target, "shop.extra", 200);
            try (Parity p = start(db.sourceUrl(), db.targetUrl(), "root", "shop.*", "types-" + engine.name().toLowerCase(), "")) {
                ParityProbe.awaitInSync(p);
                db.onSource("UPDATE shop.extra SET n = n + 1", "UPDATE shop.places SET n = n + 1");
                await().atMost(ParityProbe.VERDICT).until(() -> db.count(dev.parity.reconciler.model.Side.TARGET, "shop.extra WHERE n = 1") == 200
                        && db.count(dev.parity.reconciler.model.Side.TARGET, "shop.places WHERE n = 1") == 200);
                ParityProbe.awaitInSync(p);
                assertSweepAgrees(p, "shop.extra");
                assertSweepAgrees(p, "shop.places");
                assertThat(columnNotes(p, "shop.places")).isEmpty();
                db.onTarget("SET sql_log_bin = 0", "UPDATE shop.extra SET tags = 'c' WHERE id = 3", "UPDATE shop.extra SET y = 2001 WHERE id = 4",
                        "UPDATE shop.extra SET flags = flags ^ 4095 WHERE id = 8", "UPDATE shop.extra SET one = 1 - one WHERE id = 9",
                        "UPDATE shop.extra SET fl = fl + 0.000001 WHERE id = 10",
                        "UPDATE shop.places SET at = POINT(0, 0) WHERE id = 5", "UPDATE shop.places SET g = ST_GeomFromText(ST_AsText(g), 0) WHERE id = 6",
                        "UPDATE shop.places SET area = ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))') WHERE id = 7");
                ParityProbe.sweep(p);
                awaitDivergent(p, "shop.extra", 3L, 4L, 8L, 9L, 10L);
                awaitDivergent(p, "shop.places", 5L, 6L, 7L);
            }
        }
    }

    /**
     * A sweep round: every row of the table read on both sides hashes as the stream gave it. Rounds are
     * repeated until one finds the state caught up with the rewrite (IN_SYNC may be seen before the
     * reconciler has applied it); no round may send anything (an observation would be a false finding).
     */
    private static List<Sweeper.TableResult> assertSweepAgrees(Parity p, String table) {
        List<List<Sweeper.TableResult>> last = new java.util.ArrayList<>(List.of(List.of()));
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
            List<Sweeper.TableResult> results = ParityProbe.sweep(p);
            last.set(0, results);
            assertThat(results).filteredOn(r -> r.table().equals(table)).hasSize(2).allSatisfy(r -> {
                assertThat(r.problem()).as(r.toString()).isNull();
                assertThat(r.observations() + r.absent()).as(r.toString()).isZero();
                assertThat(r.rowsRead()).as(r.toString()).isEqualTo(200);
                assertThat(r.rowsMatched()).as(r.toString()).isEqualTo(r.rowsRead());
            });
        });
        return last.get(0);
    }

    private static void awaitDivergent(Parity p, String table, Long... ids) {
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.divergences(p, table, 100))
                .filteredOn(d -> "DIVERGENT".equals(d.get("state"))).extracting(d -> (Object) ((Map<?, ?>) d.get("key")).get("id"))
                .containsExactlyInAnyOrder((Object[]) ids));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> columnNotes(Parity p, String table) {
        return (List<Map<String, Object>>) ParityProbe.table(p, table).getOrDefault("columns", List.of());
    }

    private static Parity start(String source, String target, String user, String include, String name, String tablesExtra) throws Exception {
        return Parity.start(ConfigLoader.parse(String.format("""
                name: %s
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]%s}
                snapshot: {method: parity}
                verify: {interval: 1h}
                api: {port: 0}
                state: {dir: "%s"}
                """, name.replace("-", ""), source, user, target, user, include, tablesExtra, Files.createTempDirectory("parity-" + name)), name, Map.of()));
    }
}
