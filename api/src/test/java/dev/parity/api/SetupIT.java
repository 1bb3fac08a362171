package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.cli.ParityCliAccess;
import dev.parity.ingest.local.MariaDbPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code parity setup} on real replicated pairs (README, "Setting up: parity setup"): it lists per side what is
 * there and what is missing as SQL, exits 1 while anything is missing, creates with {@code --apply} only Parity's
 * own objects (the heartbeat tables) and leaves the user's subscription and tables to the user, and exits 0 once
 * the rest is done; {@code parity run} points to it when a server is not ready.
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

            pg.onTarget("ALTER SUBSCRIPTION \"shop\" REFRESH PUBLICATION", "ALTER TABLE \"public\".\"logs\" REPLICA IDENTITY FULL");
            pg.onSource("ALTER TABLE \"public\".\"logs\" REPLICA IDENTITY FULL");
            out = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString())).as(out.toString()).isZero();
            assertThat(out.toString()).contains("OK       the heartbeat table is in subscription shop", "nothing missing")
                    .doesNotContain("MISSING");
            await().atMost(Duration.ofSeconds(30)).until(() -> pg.count(Side.TARGET, "public.parity_heartbeat") == 1);
        }
    }

    @Test
    void shouldCreateTheHeartbeatTableOnAMariaDbSourceAndSeeItArriveOnTheReplica() throws Exception {
        Path dir = Files.createTempDirectory("parity-setup-maria");
        try (MariaDbPair db = MariaDbPair.start("shop")) {
            db.onSource("CREATE TABLE shop.items (id INT PRIMARY KEY, v TEXT)");
            ParityProbe.awaitRows(db::target, "shop.items", 0);
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                    name: setupm
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    tables: {include: ["shop.*"]}
                    heartbeat: {table: shop.parity_heartbeat}
                    state: {dir: "%s"}
                    """, db.sourceUrl(), db.targetUrl(), dir.resolve("state")));
            StringWriter out = new StringWriter();
            assertThat(ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString())).isEqualTo(1);
            assertThat(out.toString()).contains("OK       the binlog is on", "OK       binlog_format is ROW", "OK       binlog_row_image is FULL",
                    "OK       log_slave_updates is ON", "MISSING  heartbeat table shop.parity_heartbeat", "GRANT SELECT, RELOAD, SHOW DATABASES,"
                    + " REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'parity'@'%'");

            out = new StringWriter();
            ParityCliAccess.runCapturingOut(out, "setup", "-c", config.toString(), "--apply", "--side", "source");
            assertThat(out.toString()).contains("applied on the source: heartbeat table shop.parity_heartbeat");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                StringWriter again = new StringWriter();
                assertThat(ParityCliAccess.runCapturingOut(again, "setup", "-c", config.toString())).as(again.toString()).isZero();
            });
            assertThat(db.count(Side.TARGET, "shop.parity_heartbeat")).as("the seed row replicated").isEqualTo(1);
        }
    }
}
