package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.ingest.setup.Setup;
import dev.parity.ingest.setup.SetupStep;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Least privilege (README, "Setting up: parity setup"): the grants {@code parity setup} prints are all Parity needs.
 * On a real PostgreSQL pair and a real MariaDB pair (grant tables on) a user is created with exactly those
 * statements, and Parity run as that user loads both sides, streams, sweeps, finds a target-only write and answers
 * the gate; with one privilege revoked it refuses to start and the error names what is missing and the GRANT that
 * gives it.
 */
class LeastPrivilegeIT {
    private static final String PASSWORD = "lp-Secret-42";

    @Test
    void shouldRunOnPostgresAsAUserWithExactlyTheGrantsSetupPrints() throws Exception {
        Path dir = Files.createTempDirectory("parity-lp-pg");
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, v TEXT)", dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 300) g",
                    "INSERT INTO parity_heartbeat (id, seq, written_at_us) VALUES (1, 0, 0)");
            pg.replicate("lp");
            ParityProbe.awaitRows(pg::target, "items", 300);
            String admin = config(dir, "lp", pg.sourceUrl(), pg.targetUrl(), "postgres", "", "public.items");
            Map<Side, List<SetupStep>> steps = Setup.inspect(ConfigLoader.parse(admin, "setup", Map.of()).ingest());
            for (String sql : grants(steps, Side.SOURCE)) {
                pg.onSource(sql);
            }
            for (String sql : grants(steps, Side.TARGET)) {
                pg.onTarget(sql);
            }
            String asParity = config(dir, "lp", pg.sourceUrl().replace("user=postgres", "user=parity"),
                    pg.targetUrl().replace("user=postgres", "user=parity"), "parity", PASSWORD, "public.items");
            try (Parity p = Parity.start(ConfigLoader.parse(asParity, "lp", Map.of()))) {
                works(p, () -> pg.onTarget("UPDATE items SET v = 'target only' WHERE id = 7"));
            }

            pg.onTarget("REVOKE SELECT ON public.items FROM parity");
            assertThat(refusal(asParity.replace("state-lp", "state-lp2")))
                    .contains("on the target: SELECT on public.items: GRANT USAGE ON SCHEMA \"public\" TO \"parity\"; GRANT SELECT ON \"public\".\"items\"");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldRunOnMariaDbAndMySqlAsAUserWithExactlyTheGrantsSetupPrints(Engine engine) throws Exception {
        Path dir = Files.createTempDirectory("parity-lp-maria");
        try (BinlogPair db = BinlogPair.startWithGrants(engine, "shop")) {
            db.onSource("CREATE TABLE shop.items (id INT PRIMARY KEY, v TEXT)", "INSERT INTO shop.items SELECT seq, CONCAT('v', seq) FROM " + BinlogPair.seq(300),
                    dev.parity.ingest.jdbc.HeartbeatWriter.ddl("`shop`.`parity_heartbeat`"),
                    "INSERT INTO shop.parity_heartbeat (id, seq, written_at_us) VALUES (1, 0, 0)");
            ParityProbe.awaitRows(db::target, "shop.items", 300);
            String admin = config(dir, "lpm", db.sourceUrl(), db.targetUrl(), "root", "", "shop.items");
            Map<Side, List<SetupStep>> steps = Setup.inspect(ConfigLoader.parse(admin, "setup", Map.of()).ingest());
            // On the source only: replication carries the user and its grants to the replica, as it would in production.
            for (String sql : grants(steps, Side.SOURCE)) {
                db.onSource(sql);
            }
            ParityProbe.awaitRows(db::target, "mysql.user WHERE User = 'parity'", 1);
            String asParity = config(dir, "lpm", db.sourceUrl(), db.targetUrl(), "parity", PASSWORD, "shop.items");
            try (Parity p = Parity.start(ConfigLoader.parse(asParity, "lpm", Map.of()))) {
                works(p, () -> db.onTarget("UPDATE shop.items SET v = 'target only' WHERE id = 7"));
            }

            db.onTarget("SET SESSION sql_log_bin = 0", "REVOKE REPLICATION SLAVE ON *.* FROM 'parity'@'%'");
            assertThat(refusal(asParity.replace("state-lpm", "state-lpm2")))
                    .contains("on the target: REPLICATION SLAVE (to read the binlog): GRANT REPLICATION SLAVE ON *.* TO 'parity'@'%'")
                    .doesNotContain("on the source");
        }
    }

    /** Why Parity refuses to start with this config (it must refuse: started, it is closed and the test fails). */
    private static String refusal(String config) {
        try (Parity p = Parity.start(ConfigLoader.parse(config, "refused", Map.of()))) {
            throw new AssertionError("Parity started without the privilege");
        } catch (dev.parity.ingest.jdbc.DatabaseException e) {
            assertThat(e.getMessage()).contains("permission denied", "parity setup -c FILE").doesNotContain(PASSWORD);
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    interface Write {
        void run() throws Exception;
    }

    /** Load, stream, sweep and gate as the least-privilege user: IN_SYNC, then a target-only write DIVERGENT and the gate NOT READY. */
    private static void works(Parity p, Write drift) throws Exception {
        ParityProbe.awaitInSync(p);
        ParityProbe.awaitRereadOnce(p);
        drift.run();
        await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.divergences(p, null, 10))
                .anySatisfy(d -> assertThat(d.get("state")).isEqualTo("DIVERGENT")));
        com.fasterxml.jackson.databind.JsonNode report = ParityProbe.readiness(p, "lp-token", "?timeout=20s");
        assertThat(ParityProbe.failing(report)).contains("divergent-keys");
        // The password is in the config: it must be in no answer Parity gives.
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String path : java.util.List.of("/metrics", "/api/v1/status", "/api/v1/divergences?limit=100", "/api/v1/readiness/last")) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + p.port() + path))
                    .header("Authorization", "Bearer lp-token").build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).as(path).isNotEmpty().doesNotContain(PASSWORD);
        }
        assertThat(report.toString()).doesNotContain(PASSWORD);
        assertThat(ParityProbe.status(p).toString()).doesNotContain(PASSWORD);
    }

    /** The least-privilege user's statements {@code parity setup} prints for one side, with a password chosen. */
    private static List<String> grants(Map<Side, List<SetupStep>> steps, Side side) {
        SetupStep user = steps.get(side).stream().filter(s -> s.what().startsWith("a least-privilege user")).findFirst().orElseThrow();
        return user.sql().stream().filter(s -> !s.startsWith("--")).map(s -> s.replace("<choose one>", PASSWORD)).toList();
    }

    private static String config(Path dir, String name, String source, String target, String user, String password, String table) {
        return String.format("""
                name: %s
                source: {url: "%s", user: %s, password: "%s"}
                target: {url: "%s", user: %s, password: "%s"}
                tables: {include: ["%s"]}
                verify: {interval: 2s}
                api: {port: 0, token: lp-token}
                state: {dir: "%s"}
                """, name, source, user, password, target, user, password, table, dir.resolve("state-" + name));
    }
}
