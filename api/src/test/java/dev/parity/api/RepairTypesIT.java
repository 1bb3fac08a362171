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
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repair SQL round-trips every comparable type of the README's type table on a same-engine pair:
 * rows deleted, rewritten in every column, and added on the target (through its own log) are all put
 * back by the generated script, and every key is IN_SYNC again. MariaDB and MySQL alike. (MariaDB → PostgreSQL: CrossEngineIT.)
 */
class RepairTypesIT {
    private static final String TOKEN = "typ3s";
    private static final long DAMAGED = 20 + 20 + 1; // deleted, rewritten, extra

    @Test
    void shouldRepairEveryPostgresTypeInItsOwnDialect() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE every (id BIGINT PRIMARY KEY, b BOOLEAN, s SMALLINT, i INTEGER, n NUMERIC(20,0), d NUMERIC(12,3),"
                    + " f8 DOUBLE PRECISION, f4 REAL, v VARCHAR(40), t TEXT, by BYTEA, dt DATE, tm TIME(6), ts TIMESTAMP(6), tz TIMESTAMPTZ(6),"
                    + " j JSON, jb JSONB, u UUID)", HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO every SELECT g, g % 2 = 0, g - 25, g * 1000, 18446744073709551000 + g, g / 8.0, g / 3.0, g / 7.0,"
                    + " 'it''s \\ naïve ✓ € ' || g, repeat('body ', g % 4), decode(md5(g::text), 'hex'), DATE '2024-01-01' + g,"
                    + " TIME '12:00:00' + g * INTERVAL '1.000001 second', TIMESTAMP '2024-06-01 12:00:00.123456' + g * INTERVAL '1 minute',"
                    + " TIMESTAMPTZ '2024-03-01 08:00:00+00' + g * INTERVAL '1 hour', json_build_object('n', g, 'a', 'x'),"
                    + " jsonb_build_object('tags', jsonb_build_array('a', g), 'z', null), md5(g::text)::uuid FROM generate_series(1, 50) g",
                    "UPDATE every SET v = NULL, by = NULL, tz = NULL WHERE id = 50");
            pg.replicate("types");
            await().atMost(ParityProbe.VERDICT).until(() -> count(pg.target()) == 50);
            try (Parity parity = start(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.every")) {
                ParityProbe.awaitInSync(parity);
                try (Connection c = pg.target(); Statement st = c.createStatement()) {
                    st.execute("DELETE FROM every WHERE id BETWEEN 1 AND 20");
                    st.execute("UPDATE every SET b = NOT b, s = s + 1, i = i + 1, n = n + 1, d = d + 1, f8 = f8 + 1, f4 = f4 + 1, v = v || 'x',"
                            + " t = t || 'x', by = '\\x00', dt = dt + 1, tm = tm + INTERVAL '1 second', ts = ts + INTERVAL '1 second',"
                            + " tz = tz + INTERVAL '1 second', j = '{\"z\": 1}', jb = '{\"z\": 1}', u = gen_random_uuid() WHERE id BETWEEN 21 AND 40");
                    st.execute("INSERT INTO every (id, v) VALUES (1000, 'only on the target')");
                }
                repairAndAwaitInSync(parity, "public.every", sql -> run(pg.target(), sql));
                underWrites(parity, "public.every", pg::source, pg::target, "v || ' (newer)'");
                viaSource(parity, "public.every", pg::source, pg::target, "v || ' (newest)'", false);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldRepairEveryBinlogTypeInItsOwnDialect(Engine engine) throws Exception {
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            db.onSource("CREATE TABLE shop.every (id BIGINT PRIMARY KEY, b TINYINT(1), ti TINYINT, s SMALLINT, m MEDIUMINT, i INT UNSIGNED,"
                            + " ub BIGINT UNSIGNED, yr YEAR, d DECIMAL(12,3), f8 DOUBLE, f4 FLOAT, v VARCHAR(40), t TEXT, e ENUM('a','b','c'),"
                            + " st SET('x','y','z'), bi VARBINARY(16), bl BLOB, dt DATE, tm TIME(6), dtt DATETIME(6), ts TIMESTAMP(6) NULL, j JSON)",
                    "SET time_zone = '+00:00'",
                    "INSERT INTO shop.every SELECT seq, seq % 2, CAST(seq AS SIGNED) - 25, seq * 100, seq * 1000, 4000000000 + seq, 18446744073709551000 + seq,"
                            + " 2000 + seq, seq / 8, seq / 3, seq / 7, CONCAT('it''s \\\\ naïve ✓ € ', seq), REPEAT('body ', seq % 4),"
                            + " ELT(1 + seq % 3, 'a', 'b', 'c'), IF(seq % 2 = 0, 'x,z', 'y'), UNHEX(MD5(seq)), UNHEX(SHA1(seq)),"
                            + " DATE '2024-01-01' + INTERVAL seq DAY, ADDTIME(TIME '12:00:00', SEC_TO_TIME(seq + 0.000001)),"
                            + " TIMESTAMP '2024-06-01 12:00:00.123456' + INTERVAL seq MINUTE, TIMESTAMP '2024-03-01 08:00:00' + INTERVAL seq HOUR,"
                            + " JSON_OBJECT('n', seq, 'a', 'x') FROM " + BinlogPair.seq(50),
                    "UPDATE shop.every SET v = NULL, bi = NULL, ts = NULL WHERE id = 50");
            await().atMost(ParityProbe.VERDICT).until(() -> count(db.target(), "shop.every") == 50);
            try (Parity parity = start(db.sourceUrl(), db.targetUrl(), "root", "shop.every")) {
                ParityProbe.awaitInSync(parity);
                db.onTarget("DELETE FROM shop.every WHERE id BETWEEN 1 AND 20",
                        "UPDATE shop.every SET b = 1 - b, ti = ti + 1, s = s + 1, m = m + 1, i = i + 1, ub = ub + 1, yr = yr + 1, d = d + 1,"
                                + " f8 = f8 + 1, f4 = f4 + 1, v = CONCAT(v, 'x'), t = CONCAT(t, 'x'), e = 'c', st = 'y', bi = X'00', bl = X'01',"
                                + " dt = dt + INTERVAL 1 DAY, tm = ADDTIME(tm, '00:00:01'), dtt = dtt + INTERVAL 1 SECOND, ts = ts + INTERVAL 1 SECOND,"
                                + " j = '{\"z\": 1}' WHERE id BETWEEN 21 AND 40",
                        "INSERT INTO shop.every (id, v) VALUES (1000, 'only on the target')");
                repairAndAwaitInSync(parity, "shop.every", sql -> run(db.target(), sql));
                underWrites(parity, "shop.every", db::source, db::target, "CONCAT(v, ' (newer)')");
                viaSource(parity, "shop.every", db::source, db::target, "CONCAT(v, ' (newest)')", true);
            }
        }
    }

    private interface Apply {
        Map<String, Object> run(String sql) throws Exception;
    }

    private interface Connect {
        Connection open() throws Exception;
    }

    private static void repairAndAwaitInSync(Parity parity, String table, Apply apply) throws Exception {
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.table(parity, table)).containsEntry("divergentKeys", DAMAGED));
        var r = parity.status().repair(table, java.util.List.of());
        assertThat(r.inserts()).isEqualTo(20);
        assertThat(r.updates()).isEqualTo(20);
        assertThat(r.deletes()).isEqualTo(1);
        // Every guard holds (nothing changed since the read): each column type's equality in the guard is exact.
        assertThat(apply.run(r.sql())).containsEntry("statements_that_changed_nothing", 0L);
        ParityProbe.awaitInSync(parity);
        assertThat(ParityProbe.table(parity, table)).containsEntry("sourceRows", 50L).containsEntry("targetRows", 50L);
    }

    /**
     * The script is written, then the source rewrites half of the rows it repairs and replication brings the newer values
     * to the target before the script runs (README, "Repair"): those statements change nothing and are counted with their
     * keys, the rest apply, and no key is DIVERGENT. Unguarded, the script would put the older values back on four keys.
     */
    private static void underWrites(Parity parity, String table, Connect source, Connect target, String newer) throws Exception {
        exec(target, "UPDATE " + table + " SET v = 'damaged' WHERE id BETWEEN 41 AND 48");
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.table(parity, table)).containsEntry("divergentKeys", 8L));
        var r = parity.status().repair(table, java.util.List.of());
        assertThat(r.updates()).isEqualTo(8);
        assertThat(r.sql()).contains("guarded by the target row");
        exec(source, "UPDATE " + table + " SET v = " + newer + " WHERE id BETWEEN 41 AND 44");
        await().atMost(ParityProbe.VERDICT).until(() -> scalar(target, "SELECT count(*) FROM " + table + " WHERE v LIKE '% (newer)'") == 4);
        Map<String, Object> report = run(target.open(), r.sql());
        assertThat(report).containsEntry("statements_that_changed_nothing", 4L);
        assertThat(String.valueOf(report.get("their_keys"))).contains("{id=41}", "{id=42}", "{id=43}", "{id=44}").doesNotContain("{id=45}");
        assertThat(digest(target, table + " WHERE id BETWEEN 41 AND 48")).isEqualTo(digest(source, table + " WHERE id BETWEEN 41 AND 48"));
        try {
            ParityProbe.awaitInSync(parity);
        } catch (AssertionError | RuntimeException e) {
            // the rows are equal in SQL (above): say which side's hash the reconciler holds otherwise
            throw new AssertionError("key 45 now: " + parity.status().diffNow(table, Map.of("id", 45), true), e);
        }
        assertThat(scalar(target, "SELECT count(*) FROM " + table + " WHERE v = 'damaged'")).isZero();
    }

    /**
     * {@code --via source}: the script runs on the source and changes none of its rows; replication carries the fix to the
     * target in order, with the source's values as they are when it runs (one row rewritten after the script was written).
     * On MySQL/MariaDB a row only one side has travels too; on PostgreSQL such keys are named for a target script.
     */
    private static void viaSource(Parity parity, String table, Connect source, Connect target, String newest, boolean binlog) throws Exception {
        exec(target, "UPDATE " + table + " SET v = 'damaged again' WHERE id BETWEEN 41 AND 45", "DELETE FROM " + table + " WHERE id = 46",
                "INSERT INTO " + table + " (id, v) VALUES (2000, 'only on the target')");
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.table(parity, table)).containsEntry("divergentKeys", 7L));
        var r = parity.status().repair(table, java.util.List.of(), dev.parity.ingest.repair.RepairScript.Via.SOURCE);
        assertThat(r.sql()).contains("to run on the source").contains("Review it, then run it on the SOURCE only");
        exec(source, "UPDATE " + table + " SET v = " + newest + " WHERE id = 41");
        String before = digest(source, table);
        run(source.open(), r.sql());
        assertThat(digest(source, table)).as("the source's rows after the script").isEqualTo(before);
        if (binlog) {
            // replication carried the statements: the replica applied them (else its applier says why)
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(scalar(target, "SELECT count(*) FROM " + table
                    + " WHERE v = 'damaged again' OR id = 2000") + " rows damaged, " + scalar(target, "SELECT count(*) FROM " + table + " WHERE id = 46")
                    + " row 46").as("the replica's applier: " + replicaError(target)).isEqualTo("0 rows damaged, 1 row 46"));
        }
        if (binlog) {
            assertThat(r.inserts()).isEqualTo(1);
            assertThat(r.deletes()).isEqualTo(1);
        } else {
            assertThat(r.sql()).contains("{id=46} (only the source has it)", "{id=2000} (only the target has it)");
            run(target.open(), parity.status().repair(table, java.util.List.of(Map.of("id", 46), Map.of("id", 2000))).sql());
        }
        try {
            ParityProbe.awaitInSync(parity);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("target binlog: " + (binlog ? binlogTail(target) : "") + " replica: " + (binlog ? replicaError(target) : ""), e);
        }
        assertThat(scalar(target, "SELECT count(*) FROM " + table + " WHERE v LIKE '% (newest)'")).isEqualTo(1);
    }

    /**
     * Runs a script statement by statement, as the mysql and psql clients run a file (every statement is one line), and
     * returns the first row of the last statement that returned rows (the script's count of statements that changed nothing).
     */
    private static Map<String, Object> run(Connection connection, String sql) throws Exception {
        Map<String, Object> last = Map.of();
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String line : sql.lines().toList()) {
                if (!line.isBlank() && !line.startsWith("--") && st.execute(line.substring(0, line.length() - 1))) {
                    try (var rs = st.getResultSet()) {
                        Map<String, Object> row = new java.util.HashMap<>();
                        if (rs.next()) {
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                Object v = rs.getObject(i);
                                row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT),
                                        v instanceof Number n ? n.longValue() : rs.getString(i)); // a user variable's text comes as bytes
                            }
                        }
                        last = row;
                    }
                }
            }
        }
        return last;
    }

    private static void exec(Connect connect, String... statements) throws Exception {
        try (Connection c = connect.open(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long scalar(Connect connect, String query) throws Exception {
        try (Connection c = connect.open(); Statement st = c.createStatement(); var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String binlogTail(Connect target) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            String file;
            try (var rs = st.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                file = rs.getString(1);
            }
            try (var rs = st.executeQuery("SHOW BINLOG EVENTS IN '" + file + "'")) {
                java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
                while (rs.next()) {
                    last.add(rs.getString("Event_type") + ": " + rs.getString("Info"));
                    if (last.size() > 40) {
                        last.removeFirst();
                    }
                }
                last.forEach(l -> b.append('\n').append(l.length() > 200 ? l.substring(0, 200) : l));
            }
        }
        return b.toString();
    }

    private static String replicaError(Connect target) throws Exception {
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            String error;
            try (var rs = st.executeQuery("SHOW REPLICA STATUS")) {
                error = rs.next() ? rs.getString("Last_SQL_Error") : "not a replica";
            }
            try (var rs = st.executeQuery("SELECT LAST_ERROR_MESSAGE FROM performance_schema.replication_applier_status_by_worker WHERE LAST_ERROR_NUMBER <> 0")) {
                while (rs.next()) {
                    error += "; worker: " + rs.getString(1);
                }
            } catch (java.sql.SQLException e) {
                // MariaDB has no such table: its Last_SQL_Error says it all
            }
            return error;
        }
    }

    /** Every row of the table as text, in key order: equal before and after means the script changed no row there. */
    private static String digest(Connect connect, String table) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = connect.open(); Statement st = c.createStatement(); var rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    b.append(rs.getString(i)).append('|');
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static Parity start(String source, String target, String user, String table) throws Exception {
        return Parity.start(ConfigLoader.parse(String.format("""
                name: types
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                verify: {enabled: false}
                api: {port: 0, token: %s}
                state: {dir: "%s"}
                """, source, user, target, user, table, TOKEN, Files.createTempDirectory("parity-types")), "types", Map.of()));
    }

    private static long count(Connection connection) throws Exception {
        return count(connection, "every");
    }

    private static long count(Connection connection, String table) throws Exception {
        try (Connection c = connection; Statement st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
