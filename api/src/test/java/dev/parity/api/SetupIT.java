package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.cli.ParityCliAccess;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code parity setup} on real replicated pairs (README, "Setting up: parity setup"): it lists per side what is
 * there and what is missing as SQL, exits 1 while anything is missing, creates with {@code --apply} only Parity's
 * own objects (the heartbeat tables) and leaves the user's subscription and tables to the user, runs those too with
 * {@code --apply-all} (printing each first) and then exits 0; {@code parity run} points to it when a server is not
 * ready, and runs from the same file to IN_SYNC once it says nothing is missing (README, "Quick start").
 */
class SetupIT {
    @Test
    void shouldListWhatIsMissingOnAPostgresPairApplyParitysOwnAndLeaveTheRestToTheUser() throws Exception {
        Path dir = Files.createTempDirectory("parity-setup");
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, v TEXT)", "CREATE TABLE logs (at TIMESTAMP, msg TEXT)");
            pg.replicate("shop");
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                    name: setup
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.*"]}
                    api: {port: 0}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), dir.resolve("state")));

            StringWriter out = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString())).isEqualTo(1);
            String before = out.toString();
            assertThat(before).contains("OK       wal_level is logical", "MISSING  heartbeat table public.parity_heartbeat",
                    "CREATE TABLE IF NOT EXISTS \"public\".\"parity_heartbeat\"", "(parity setup --apply runs this)",
                    "MISSING  replica identity of public.logs", "ALTER TABLE \"public\".\"logs\" REPLICA IDENTITY FULL;",
                    "REVIEW   a least-privilege user for Parity", "CREATE ROLE parity LOGIN REPLICATION",
                    "CREATE PUBLICATION \"parity_setup\" FOR TABLE \"public\".\"items\"");
            assertThat(before.substring(before.indexOf("target ("))).contains("MISSING  heartbeat table public.parity_heartbeat",
                    "MISSING  the heartbeat table in your subscription shop", "ALTER SUBSCRIPTION \"shop\" REFRESH PUBLICATION;",
                    "(yours to run, after review)");

            StringWriter err = new StringWriter();
            assertThat(ParityCliAccess.run(err, "run", "-c", config.toString())).isEqualTo(2);
            assertThat(err.toString()).contains("heartbeat table public.parity_heartbeat is missing on the target", "parity setup -c FILE");

            out = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString(), "--apply")).isEqualTo(1);
            assertThat(out.toString()).contains("applied on the target: heartbeat table public.parity_heartbeat")
                    .doesNotContain("FAILED");
            String after = out.toString().substring(out.toString().indexOf("source ("));
            assertThat(after).contains("OK       heartbeat table public.parity_heartbeat", "MISSING  the heartbeat table in your subscription shop",
                    "MISSING  replica identity of public.logs");
            assertThat(pg.count(Side.TARGET, "public.parity_heartbeat")).as("created, empty: replication fills it").isZero();

            out = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString(), "--apply-all")).as(out.toString()).isZero();
            String all = out.toString();
            assertThat(all).as("each change to the user's objects is printed before it runs")
                    .contains("changing yours on the source: replica identity of public.logs\n  ALTER TABLE \"public\".\"logs\" REPLICA IDENTITY FULL;",
                            "changing yours on the target: the heartbeat table in your subscription shop\n  ALTER SUBSCRIPTION \"shop\" REFRESH PUBLICATION;",
                            "applied on the target: the heartbeat table in your subscription shop", "OK       the heartbeat table is in subscription shop",
                            "nothing missing")
                    .doesNotContain("FAILED", "MISSING", "changing yours on the source: a least-privilege user");
            assertThat(all.indexOf("changing yours")).as("Parity's own objects first").isGreaterThan(all.indexOf("applied on the target: heartbeat table"));
            await().atMost(Duration.ofSeconds(30)).until(() -> pg.count(Side.TARGET, "public.parity_heartbeat") == 1);

            // README, "Quick start": from here `parity run -c FILE` and a green dashboard, with no SQL written by hand.
            pg.onSource("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 200) g", "INSERT INTO logs VALUES (now(), 'm')");
            try (Parity p = Parity.start(ConfigLoader.load(config, Map.of()))) {
                ParityProbe.awaitInSync(p);
                assertThat(ParityProbe.table(p, "public.logs")).containsEntry("state", "IN_SYNC");
                HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + p.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).contains("<title>Parity");
            }

            // parity cleanup removes what setup made, the target's subscribed heartbeat table included, and the user's
            // replication goes on (a subscriber asked to apply a change to a table it lacks would stop).
            assertThat(ParityCliAccess.run("cleanup", "-c", config.toString())).isZero();
            assertThat(pg.count(Side.SOURCE, "pg_tables WHERE tablename = 'parity_heartbeat'")).isZero();
            assertThat(pg.count(Side.TARGET, "pg_tables WHERE tablename = 'parity_heartbeat'")).isZero();
            pg.onSource("INSERT INTO items VALUES (1000, 'after cleanup')");
            ParityProbe.awaitRows(pg::target, "items", 201);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldCreateTheHeartbeatTableOnABinlogSourceAndSeeItArriveOnTheReplica(Engine engine) throws Exception {
        Path dir = Files.createTempDirectory("parity-setup-maria");
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            db.onSource("CREATE TABLE shop.items (id INT PRIMARY KEY, v TEXT)");
            ParityProbe.awaitRows(db::target, "shop.items", 0);
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                    name: setupm
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    tables: {include: ["shop.*"]}
                    heartbeat: {table: shop.parity_heartbeat}
                    api: {port: 0, token: setup-token}
                    state: {dir: "%s"}
                    """, db.sourceUrl(), db.targetUrl(), dir.resolve("state")));
            StringWriter out = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString())).isEqualTo(1);
            assertThat(out.toString()).contains("OK       the binlog is on", "OK       binlog_format is ROW", "OK       binlog_row_image is FULL",
                    "OK       " + (engine == Engine.MARIADB ? "log_slave_updates" : "log_replica_updates") + " is ON",
                    "MISSING  heartbeat table shop.parity_heartbeat", "GRANT SELECT, RELOAD, SHOW DATABASES,"
                    + " REPLICATION SLAVE, " + (engine == Engine.MARIADB ? "BINLOG MONITOR" : "REPLICATION CLIENT") + " ON *.* TO 'parity'@'%'");

            out = new StringWriter();
            ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString(), "--apply", "--side", "source");
            assertThat(out.toString()).contains("applied on the source: heartbeat table shop.parity_heartbeat");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                StringWriter again = new StringWriter();
                assertThat(ParityCliAccess.runCapturingOut(again, "setup", "-c", config.toString())).as(again.toString()).isZero();
            });
            assertThat(db.count(Side.TARGET, "shop.parity_heartbeat")).as("the seed row replicated").isEqualTo(1);

            // From nothing to READY on what setup made, then parity cleanup: the heartbeat table goes on the source,
            // replication drops the replica's copy, and the user's replication goes on.
            try (Parity p = Parity.start(ConfigLoader.load(config, Map.of()))) {
                ParityProbe.awaitInSync(p);
                ParityProbe.awaitReady(p, "setup-token");
            }
            StringWriter dry = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(dry, "cleanup", "-c", config.toString(), "--dry-run")).isZero();
            assertThat(dry.toString()).contains("table shop.parity_heartbeat");
            assertThat(ParityCliAccess.run("cleanup", "-c", config.toString())).isZero();
            assertThat(db.count(Side.SOURCE, "information_schema.TABLES WHERE TABLE_NAME = 'parity_heartbeat'")).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> db.count(Side.TARGET, "information_schema.TABLES WHERE TABLE_NAME = 'parity_heartbeat'") == 0);
            db.onSource("INSERT INTO shop.items VALUES (1000, 'after cleanup')");
            ParityProbe.awaitRows(db::target, "shop.items", 1);
        }
    }
}
