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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parity's own load for every kind of primary key, on real replicated pairs whose two sides order the
 * keys differently: a string key under {@code "C"} on the source and ICU on the target (PostgreSQL),
 * under a case-insensitive collation on the source and a binary one on the target (MariaDB); UUIDs;
 * composite {@code (tenant, id)} keys; dates. Each table has drift made on the target before start (a
 * changed row, a missing one, an extra one): exactly those keys come out DIVERGENT, and each side's row
 * count in the reconciler equals the database's, so every key of either side was compared once —
 * none missed, none paired twice. The sweep is off: every finding is the load's.
 */
class KeyTypesLoadIT {
    private static final int ROWS = 1_500;

    @Test
    void shouldLoadStringUuidCompositeAndDateKeysOnPostgres() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            // Mixed-case codes: "C" orders 'B' before 'a', ICU the other way round.
            pg.onSource("CREATE TABLE codes (code VARCHAR(40) COLLATE \"C\" PRIMARY KEY, n INT NOT NULL)");
            pg.onTarget("CREATE TABLE codes (code VARCHAR(40) COLLATE \"und-x-icu\" PRIMARY KEY, n INT NOT NULL)");
            pg.ddl("CREATE TABLE tokens (id UUID PRIMARY KEY, v TEXT NOT NULL)",
                    "CREATE TABLE tenants (tenant VARCHAR(10), id INT, v TEXT NOT NULL, PRIMARY KEY (tenant, id))",
                    "CREATE TABLE days (d DATE PRIMARY KEY, v INT NOT NULL)", HeartbeatWriter.ddl("public.parity_heartbeat"),
                    // No primary key: identified by a unique index over NOT NULL columns, its replica identity on both sides.
                    "CREATE TABLE events (code VARCHAR(20) NOT NULL, n INT NOT NULL, v TEXT, CONSTRAINT events_code_n UNIQUE (code, n))",
                    "ALTER TABLE events REPLICA IDENTITY USING INDEX events_code_n",
                    // The same without a replica identity: publishing it would break its UPDATEs and DELETEs.
                    "CREATE TABLE plain (a INT NOT NULL, v TEXT, CONSTRAINT plain_a UNIQUE (a))");
            pg.onSource("INSERT INTO codes SELECT chr(65 + g % 26 + (g % 2) * 32) || chr(97 + g / 26 % 26) || g, g FROM generate_series(1, " + ROWS + ") g",
                    "INSERT INTO tokens SELECT md5(g::text)::uuid, 'v' || g FROM generate_series(1, " + ROWS + ") g",
                    "INSERT INTO tenants SELECT CASE g % 3 WHEN 0 THEN 'acme' WHEN 1 THEN 'Zeta' ELSE 'beta' END, g, 'v' || g"
                            + " FROM generate_series(1, " + ROWS + ") g",
                    "INSERT INTO days SELECT DATE '2020-01-01' + g, g FROM generate_series(1, " + ROWS + ") g",
                    "INSERT INTO events SELECT 'c' || (g % 50), g, 'v' || g FROM generate_series(1, " + ROWS + ") g",
                    "INSERT INTO plain SELECT g, 'v' || g FROM generate_series(1, 10) g");
            pg.replicate("kt");
            for (String t : List.of("codes", "tokens", "tenants", "days", "events")) {
                ParityProbe.awaitRows(pg::target, t, ROWS);
            }
            pg.onTarget("UPDATE codes SET n = -1 WHERE code = 'Cb28'", "DELETE FROM codes WHERE code = 'Ab26'",
                    "INSERT INTO codes VALUES ('zz-extra', 0)",
                    "UPDATE tokens SET v = 'rogue' WHERE id = md5('7')::uuid", "DELETE FROM tokens WHERE id = md5('8')::uuid",
                    "INSERT INTO tokens VALUES ('00000000-0000-0000-0000-000000000001', 'extra')");
            pg.onTarget(compositeAndDateDrift(""));
            pg.onTarget(uniqueIndexDrift(""));
            try (Parity p = start(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.*", "kt-pg")) {
                assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("PARITY: both sides read and paired by key");
                awaitExactly(p, "public.codes", "{code=Cb28} MISMATCH", "{code=Ab26} MISSING_ON_TARGET", "{code=zz-extra} EXTRA_ON_TARGET");
                awaitExactly(p, "public.tokens", "{id=8f14e45f-ceea-167a-5a36-dedd4bea2543} MISMATCH",
                        "{id=c9f0f895-fb98-ab91-59f5-1fd0297e236d} MISSING_ON_TARGET", "{id=00000000-0000-0000-0000-000000000001} EXTRA_ON_TARGET");
                awaitCompositeAndDateDrift(p, "public.");
                assertUniqueIndexKeyed(p, "public.", pg::source, pg::target, pg::onSource, pg::onTarget);
                // The sweep is off: a TRUNCATE is known from the log alone, at once, row by row.
                pg.onTarget("TRUNCATE days");
                awaitTruncated(p, "public.days", ROWS, 0);
                pg.onSource("TRUNCATE days"); // replicated: both sides empty, nothing left to report
                awaitTruncated(p, "public.days", 0, 0);
                assertThat(ParityProbe.table(p, "public.plain")).containsEntry("state", "UNVERIFIED");
                assertThat((String) ParityProbe.table(p, "public.plain").get("reason"))
                        .contains("no replica identity").contains("REPLICA IDENTITY USING INDEX \"plain_a\"");
                for (ParityProbe.Connect db : List.<ParityProbe.Connect>of(pg::source, pg::target)) {
                    try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'parity_kt'")) {
                        rs.next();
                        assertThat(rs.getString(1)).contains("events").doesNotContain("plain");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldLoadStringUuidCompositeAndDateKeysOnMariaDbAndMySql(Engine engine) throws Exception {
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            db.onSource("CREATE TABLE shop.codes (code VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY, n INT NOT NULL)",
                    // MariaDB has a UUID type; on MySQL a UUID key is text (or BINARY(16), which the key-types bench reads).
                    "CREATE TABLE shop.tokens (id " + (engine == Engine.MARIADB ? "UUID" : "CHAR(36)") + " PRIMARY KEY, v TEXT NOT NULL)",
                    "CREATE TABLE shop.tenants (tenant VARCHAR(10), id INT, v TEXT NOT NULL, PRIMARY KEY (tenant, id))",
                    "CREATE TABLE shop.days (d DATE PRIMARY KEY, v INT NOT NULL)",
                    "INSERT INTO shop.codes SELECT CONCAT(CHAR(65 + seq % 26 + (seq % 2) * 32), CHAR(97 + seq DIV 26 % 26), seq), seq FROM " + BinlogPair.seq(ROWS),
                    "INSERT INTO shop.tokens SELECT UUID(), CONCAT('v', seq) FROM " + BinlogPair.seq(ROWS),
                    "INSERT INTO shop.tenants SELECT ELT(1 + seq % 3, 'acme', 'Zeta', 'beta'), seq, CONCAT('v', seq) FROM " + BinlogPair.seq(ROWS),
                    "INSERT INTO shop.days SELECT DATE '2020-01-01' + INTERVAL seq DAY, seq FROM " + BinlogPair.seq(ROWS),
                    "INSERT INTO shop.tokens VALUES ('11111111-1111-1111-1111-111111111111', 'known'), ('22222222-2222-2222-2222-222222222222', 'known')",
                    "CREATE TABLE shop.events (code VARCHAR(20) NOT NULL, n INT NOT NULL, v TEXT, UNIQUE KEY events_code_n (code, n))",
                    "INSERT INTO shop.events SELECT CONCAT('c', seq % 50), seq, CONCAT('v', seq) FROM " + BinlogPair.seq(ROWS));
            for (String t : List.of("shop.codes", "shop.tenants", "shop.days", "shop.events")) {
                ParityProbe.awaitRows(db::target, t, ROWS);
            }
            ParityProbe.awaitRows(db::target, "shop.tokens", ROWS + 2);
            // On the replica only: a binary collation, so the two sides order the codes differently.
            db.onTarget("SET sql_log_bin = 0", "ALTER TABLE shop.codes MODIFY code VARCHAR(40) COLLATE utf8mb4_bin",
                    "UPDATE shop.codes SET n = -1 WHERE code = 'Cb28'", "DELETE FROM shop.codes WHERE code = 'Ab26'",
                    "INSERT INTO shop.codes VALUES ('zz-extra', 0)",
                    "UPDATE shop.tokens SET v = 'rogue' WHERE id = '11111111-1111-1111-1111-111111111111'",
                    "DELETE FROM shop.tokens WHERE id = '22222222-2222-2222-2222-222222222222'",
                    "INSERT INTO shop.tokens VALUES ('00000000-0000-0000-0000-000000000001', 'extra')");
            db.onTarget(java.util.stream.Stream.concat(java.util.stream.Stream.of("SET sql_log_bin = 0"),
                    java.util.Arrays.stream(compositeAndDateDrift("shop."))).toArray(String[]::new));
            db.onTarget(java.util.stream.Stream.concat(java.util.stream.Stream.of("SET sql_log_bin = 0"),
                    java.util.Arrays.stream(uniqueIndexDrift("shop."))).toArray(String[]::new));
            try (Parity p = start(db.sourceUrl(), db.targetUrl(), "root", "shop.*", "kt-maria")) {
                assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("PARITY: both sides read and paired by key");
                awaitExactly(p, "shop.codes", "{code=Cb28} MISMATCH", "{code=Ab26} MISSING_ON_TARGET", "{code=zz-extra} EXTRA_ON_TARGET");
                awaitExactly(p, "shop.tokens", "{id=11111111-1111-1111-1111-111111111111} MISMATCH",
                        "{id=22222222-2222-2222-2222-222222222222} MISSING_ON_TARGET", "{id=00000000-0000-0000-0000-000000000001} EXTRA_ON_TARGET");
                awaitCompositeAndDateDrift(p, "shop.");
                assertUniqueIndexKeyed(p, "shop.", db::source, db::target, db::onSource, db::onTarget);
            }
        }
    }

    /** The same drift, on either engine, in the composite-keyed and date-keyed tables of {@code namespace} ("" or "shop."). */
    private static String[] compositeAndDateDrift(String namespace) {
        return new String[] {"UPDATE " + namespace + "tenants SET v = 'rogue' WHERE tenant = 'Zeta' AND id = 10",
                "DELETE FROM " + namespace + "tenants WHERE tenant = 'beta' AND id = 11", "INSERT INTO " + namespace + "tenants VALUES ('acme', 100000, 'extra')",
                "UPDATE " + namespace + "days SET v = -1 WHERE d = DATE '2020-01-11'", "DELETE FROM " + namespace + "days WHERE d = DATE '2020-01-12'",
                "INSERT INTO " + namespace + "days VALUES (DATE '1999-12-31', 0)"};
    }

    /** After a TRUNCATE: the table's rows per side, every source row left MISSING_ON_TARGET as the stream showed it. */
    static void awaitTruncated(Parity p, String table, long sourceRows, long targetRows) {
        await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.table(p, table)).containsEntry("sourceRows", sourceRows).containsEntry("targetRows", targetRows)
                    .containsEntry("divergentKeys", sourceRows - targetRows).containsEntry("pendingKeys", 0L);
            assertThat(ParityProbe.divergences(p, table, 100)).allSatisfy(d -> assertThat(d.get("kind") + " " + d.get("detectedBy"))
                    .isEqualTo("MISSING_ON_TARGET CHANGE_STREAM"));
        });
    }

    /** Drift in the table keyed by a unique index, made on the target before Parity starts. */
    private static String[] uniqueIndexDrift(String namespace) {
        return new String[] {"UPDATE " + namespace + "events SET v = 'rogue' WHERE code = 'c7' AND n = 7",
                "DELETE FROM " + namespace + "events WHERE code = 'c8' AND n = 8", "INSERT INTO " + namespace + "events VALUES ('zz', 0, 'extra')"};
    }

    interface Sql {
        void run(String... statements) throws Exception;
    }

    /**
     * The table without a primary key, keyed by its unique index: the load's drift comes out by that key;
     * then replicated UPDATEs and DELETEs by key raise no alarm (their events carry the index's columns as
     * the key), and a logged write on the target alone is found by the stream, by the same key.
     */
    private static void assertUniqueIndexKeyed(Parity p, String namespace, ParityProbe.Connect source, ParityProbe.Connect target, Sql onSource,
                                               Sql onTarget) throws Exception {
        String table = namespace + "events";
        List<String> loaded = List.of("{code=c7, n=7} MISMATCH DIVERGENT INITIAL_LOAD", "{code=c8, n=8} MISSING_ON_TARGET DIVERGENT INITIAL_LOAD",
                "{code=zz, n=0} EXTRA_ON_TARGET DIVERGENT INITIAL_LOAD");
        awaitDrift(p, table, ROWS, loaded);
        assertThat(ParityProbe.table(p, table).get("key")).isEqualTo(List.of("code", "n"));
        onSource.run("UPDATE " + table + " SET v = 'new' WHERE n BETWEEN 11 AND 20", "DELETE FROM " + table + " WHERE n BETWEEN 21 AND 30");
        ParityProbe.awaitRows(target, table, ROWS - 10);
        onTarget.run("UPDATE " + table + " SET v = 'rogue2' WHERE code = 'c0' AND n = 100");
        awaitDrift(p, table, ROWS - 10, java.util.stream.Stream.concat(loaded.stream(),
                java.util.stream.Stream.of("{code=c0, n=100} MISMATCH DIVERGENT CHANGE_STREAM")).toList());
    }

    private static void awaitCompositeAndDateDrift(Parity p, String namespace) {
        awaitExactly(p, namespace + "tenants", "{id=10, tenant=Zeta} MISMATCH", "{id=11, tenant=beta} MISSING_ON_TARGET",
                "{id=100000, tenant=acme} EXTRA_ON_TARGET");
        awaitExactly(p, namespace + "days", "{d=2020-01-11} MISMATCH", "{d=2020-01-12} MISSING_ON_TARGET", "{d=1999-12-31} EXTRA_ON_TARGET");
    }

    private static Parity start(String source, String target, String user, String include, String name) throws Exception {
        return Parity.start(ConfigLoader.parse(String.format("""
                name: kt
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                snapshot: {method: parity, pageRows: 300}
                verify: {enabled: false}
                api: {port: 0}
                state: {dir: "%s"}
                """, source, user, target, user, include, Files.createTempDirectory("parity-" + name)), name, Map.of()));
    }

    /**
     * Exactly these keys DIVERGENT (found by the load), and the reconciler holds as many keys per side as
     * the table has rows there: no key skipped, none counted twice.
     */
    private static void awaitExactly(Parity p, String table, String... expected) {
        awaitDrift(p, table, table.endsWith("tokens") && table.startsWith("shop.") ? ROWS + 2 : ROWS,
                java.util.Arrays.stream(expected).map(e -> e + " DIVERGENT INITIAL_LOAD").toList());
    }

    /** Exactly these divergences ("key kind state detectedBy"), and {@code rows} keys on each side. */
    private static void awaitDrift(Parity p, String table, long rows, List<String> expected) {
        await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(p, table, 100)).extracting(d -> new java.util.TreeMap<>((Map<?, ?>) d.get("key")) + " " + d.get("kind") + " " + d.get("state")
                    + " " + d.get("detectedBy")).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(ParityProbe.table(p, table)).containsEntry("sourceRows", rows).containsEntry("targetRows", rows)
                    .containsEntry("pendingKeys", 0L);
        });
    }
}
