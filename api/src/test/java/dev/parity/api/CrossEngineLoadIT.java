package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parity's own load across engines (MariaDB or MySQL source, PostgreSQL target), with heartbeats: no replication
 * tool runs between the two here, so the test carries the heartbeat row across itself, as a cutover's
 * replication would (every 100 ms, MariaDB's row copied into PostgreSQL's). Integer keys pair by ranges;
 * string keys (case-insensitive collation on MariaDB, the database default on PostgreSQL) and UUIDs are
 * looked up on the other engine. The drift made before start comes out with exact keys, and each side's
 * row count in the reconciler equals the database's: every key compared once.
 */
class CrossEngineLoadIT {
    private static final int ROWS = 600;

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldLoadIntegerStringAndUuidKeysAcrossEnginesAndFindTheDriftByKey(Engine engine) throws Exception {
        try (BinlogPair maria = BinlogPair.start(engine, "shop");
             EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start()) {
            maria.onSource("CREATE TABLE shop.items (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40))",
                    "INSERT INTO shop.items SELECT seq, seq / 4, CONCAT('item ', seq) FROM " + BinlogPair.seq(ROWS),
                    "CREATE TABLE shop.codes (code VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, n INT NOT NULL)",
                    "INSERT INTO shop.codes SELECT CONCAT(CHAR(65 + seq % 26 + (seq % 2) * 32), 'k', seq), seq FROM " + BinlogPair.seq(ROWS),
                    // MariaDB's UUID type; MySQL has none, a UUID key there is its text.
                    "CREATE TABLE shop.tokens (id " + (engine == Engine.MARIADB ? "UUID" : "CHAR(36)") + " PRIMARY KEY, v INT NOT NULL)",
                    "INSERT INTO shop.tokens SELECT CONCAT('00000000-0000-0000-0000-', LPAD(seq, 12, '0')), seq FROM " + BinlogPair.seq(ROWS));
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE public.items (id BIGINT PRIMARY KEY, amount NUMERIC(10,2) NOT NULL, note VARCHAR(40))");
                st.execute("INSERT INTO public.items SELECT g, round(g / 4.0, 2), 'item ' || g FROM generate_series(1, " + ROWS + ") g");
                st.execute("CREATE TABLE public.codes (code VARCHAR(20) PRIMARY KEY, n INT NOT NULL)");
                st.execute("INSERT INTO public.codes SELECT chr(65 + g % 26 + (g % 2) * 32) || 'k' || g, g FROM generate_series(1, " + ROWS + ") g");
                st.execute("CREATE TABLE public.tokens (id UUID PRIMARY KEY, v INT NOT NULL)");
                st.execute("INSERT INTO public.tokens SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, g FROM generate_series(1, " + ROWS + ") g");
                st.execute(HeartbeatWriter.ddl("public.parity_heartbeat"));
                // Drift on the target before Parity starts: a changed row, a missing one, an extra one per table.
                st.execute("UPDATE public.items SET note = 'rogue' WHERE id = 10");
                st.execute("DELETE FROM public.items WHERE id = 11");
                st.execute("INSERT INTO public.items VALUES (100000, 1, 'extra')");
                st.execute("UPDATE public.codes SET n = -1 WHERE code = 'Ck28'");
                st.execute("DELETE FROM public.codes WHERE code = 'dk29'");
                st.execute("INSERT INTO public.codes VALUES ('zz-extra', 0)");
                st.execute("UPDATE public.tokens SET v = -1 WHERE id = '00000000-0000-0000-0000-000000000007'");
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread relay = new Thread(() -> relayHeartbeats(maria, pg, stop), "heartbeat-relay");
            relay.setDaemon(true);
            relay.start();
            try (Parity p = Parity.start(ConfigLoader.parse(String.format("""
                    name: xload
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["shop.items", "shop.codes", "shop.tokens"], map: {"shop.*": "public.*"}}
                    snapshot: {method: parity, pageRows: 100}
                    verify: {enabled: false}
                    api: {port: 0}
                    state: {dir: "%s"}
                    """, maria.sourceUrl(), pg.getJdbcUrl("postgres", "postgres"), Files.createTempDirectory("parity-xload")), "xload", Map.of()))) {
                assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("PARITY: both sides read and paired by key");
                awaitExactly(p, "shop.items", ROWS, ROWS, "{id=10} MISMATCH", "{id=11} MISSING_ON_TARGET", "{id=100000} EXTRA_ON_TARGET");
                awaitExactly(p, "shop.codes", ROWS, ROWS, "{code=Ck28} MISMATCH", "{code=dk29} MISSING_ON_TARGET", "{code=zz-extra} EXTRA_ON_TARGET");
                awaitExactly(p, "shop.tokens", ROWS, ROWS, "{id=00000000-0000-0000-0000-000000000007} MISMATCH");
            } finally {
                stop.set(true);
                relay.join(5_000);
            }
        }
    }

    /** What a cutover's replication does for the heartbeat row: MySQL's or MariaDB's copied into PostgreSQL's whenever it moved. */
    private static void relayHeartbeats(BinlogPair maria, EmbeddedPostgres pg, AtomicBoolean stop) {
        long last = -1;
        while (!stop.get()) {
            try (Connection m = maria.source(); Connection p = pg.getPostgresDatabase().getConnection()) {
                while (!stop.get()) {
                    try (Statement st = m.createStatement();
                         ResultSet rs = st.executeQuery("SELECT seq, written_at_us, fence_id FROM shop.parity_heartbeat WHERE id = 1")) {
                        if (rs.next() && rs.getLong(1) != last) {
                            last = rs.getLong(1);
                            try (PreparedStatement ps = p.prepareStatement("INSERT INTO public.parity_heartbeat (id, seq, written_at_us, fence_id)"
                                    + " VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, written_at_us = EXCLUDED.written_at_us,"
                                    + " fence_id = EXCLUDED.fence_id")) {
                                ps.setLong(1, last);
                                ps.setLong(2, rs.getLong(2));
                                ps.setString(3, rs.getString(3));
                                ps.executeUpdate();
                            }
                        }
                    }
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the heartbeat table does not exist yet (Parity creates it at start): look again
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void awaitExactly(Parity p, String table, long sourceRows, long targetRows, String... expected) {
        await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(p, table, 100)).extracting(d -> new java.util.TreeMap<>((Map<?, ?>) d.get("key")) + " " + d.get("kind")
                    + " " + d.get("state") + " " + d.get("detectedBy")).containsExactlyInAnyOrderElementsOf(java.util.Arrays.stream(expected)
                    .map(e -> e + " DIVERGENT INITIAL_LOAD").toList());
            assertThat(ParityProbe.table(p, table)).containsEntry("sourceRows", sourceRows).containsEntry("targetRows", targetRows)
                    .containsEntry("pendingKeys", 0L);
        });
    }
}
