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
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cutover this product was made for, through the CLI only, on a MariaDB pair and a MySQL pair: staging (the target)
 * has an extra {@code customers.locale} column from a feature branch, and 14 {@code orders.paid_at} values were rewritten
 * one hour off. {@code parity ready} says NOT READY naming {@code schema} and {@code divergent-keys}, with no key of
 * {@code customers} among the divergences (a one-sided column is one schema difference); the user drops the column and
 * applies {@code parity repair}'s script, and {@code parity ready} says READY.
 */
class CutoverJourneyIT {
    private static final String TOKEN = "journey";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldGoFromTheOriginStorysDamageToReadyThroughTheCli(Engine engine) throws Exception {
        Path dir = Files.createTempDirectory("parity-journey");
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            db.onSource("CREATE TABLE shop.customers (id BIGINT PRIMARY KEY, name VARCHAR(80) NOT NULL)",
                    "CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, paid_at TIMESTAMP(3) NULL)",
                    "SET time_zone = '+00:00'",
                    "INSERT INTO shop.customers SELECT seq, CONCAT('customer ', seq) FROM " + BinlogPair.seq(500),
                    "INSERT INTO shop.orders SELECT seq, 1 + seq % 500, TIMESTAMP '2026-02-01 00:00:00' + INTERVAL seq MINUTE FROM "
                            + BinlogPair.seq(2000));
            ParityProbe.awaitRows(db::target, "shop.orders", 2000);
            try (Parity parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: journey
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    tables: {include: ["shop.*"]}
                    api: {port: 0, token: %s}
                    state: {dir: "%s"}
                    """, db.sourceUrl(), db.targetUrl(), TOKEN, dir.resolve("state")), "journey", Map.of()))) {
                String url = "http://127.0.0.1:" + parity.port();
                ParityProbe.awaitInSync(parity);

                // The damage: a feature branch's column on staging, and rows rewritten by a session one hour off.
                db.onTarget("ALTER TABLE shop.customers ADD COLUMN locale VARCHAR(10) NOT NULL DEFAULT 'en'",
                        "SET time_zone = '+01:00'",
                        "UPDATE shop.orders SET paid_at = CONVERT_TZ(paid_at, '+01:00', '+00:00') WHERE id BETWEEN 101 AND 114");
                db.onSource("UPDATE shop.customers SET name = CONCAT(name, '!') WHERE id <= 100"); // rows of both tables keep moving
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    Run ready = cli("ready", "--url", url, "--token", TOKEN, "--json", "--timeout", "30s");
                    assertThat(ready.exit).as(ready.out).isEqualTo(1);
                    assertThat(failing(JSON.readTree(ready.out))).contains("schema", "divergent-keys");
                    assertThat(divergentIds(url, "shop.orders")).hasSize(14);
                });
                // Rows the source changed while the column was new on the target were hashed before Parity knew it is one-sided:
                // PENDING (their two sides' shapes differ) until the re-read that asks for, never DIVERGENT.
                List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    Run customers = cli("diff", "--url", url, "--table", "shop.customers");
                    seen.add(customers.out);
                    assertThat(customers.exit).as(customers.out).isZero();
                    assertThat(customers.out).contains("0 key(s) differ in shop.customers");
                });
                assertThat(seen).as("an extra column is one schema difference, not every row").noneMatch(out -> out.contains("DIVERGENT"));
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> { // the sentence once the drill-down has read the keys
                    Run orders = cli("diff", "--url", url, "--table", "shop.orders");
                    assertThat(orders.exit).isEqualTo(1);
                    assertThat(orders.out).contains("14 keys differ only in `paid_at`", "14 key(s) differ in shop.orders");
                });

                // The fix, as Parity advises: the column goes, and the repair script puts the rows back.
                db.onTarget("ALTER TABLE shop.customers DROP COLUMN locale");
                Path script = dir.resolve("repair.sql");
                Run repair = cli("repair", "--url", url, "--token", TOKEN, "--table", "shop.orders", "--out", script.toString());
                assertThat(repair.exit).as(repair.err).isZero();
                String sql = Files.readString(script);
                assertThat(sql).contains("14 update(s)");
                try (Connection c = db.target(); Statement st = c.createStatement()) {
                    for (String line : sql.lines().toList()) {
                        if (!line.isBlank() && !line.startsWith("--")) {
                            st.execute(line.substring(0, line.length() - 1)); // statement by statement, as the mysql client runs a file
                        }
                    }
                }
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    Run ready = cli("ready", "--url", url, "--token", TOKEN, "--timeout", "30s");
                    assertThat(ready.exit).as(ready.out + ready.err).isZero();
                    assertThat(ready.out).contains("READY");
                });
            }
        }
    }

    private record Run(int exit, String out, String err) {
    }

    /** One {@code parity} command, in-process, with what it printed (some commands print to System.out directly). */
    private static synchronized Run cli(String... args) {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            exit = ParityCliAccess.runCapturing(out, err, args);
        } finally {
            System.setOut(stdout);
        }
        return new Run(exit, printed.toString(java.nio.charset.StandardCharsets.UTF_8) + out, err.toString());
    }

    private static List<String> failing(JsonNode report) {
        return ParityProbe.failing(report);
    }

    /** The DIVERGENT keys of a table, as {@code GET /api/v1/divergences} gives them (what {@code parity diff} prints from). */
    private static List<String> divergentIds(String url, String table) throws Exception {
        JsonNode body = JSON.readTree(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url + "/api/v1/divergences?table=" + table + "&limit=1000")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        List<String> out = new ArrayList<>();
        body.path("divergences").forEach(d -> {
            if ("DIVERGENT".equals(d.path("state").asText())) {
                out.add(d.path("key").toString());
            }
        });
        return out;
    }
}
