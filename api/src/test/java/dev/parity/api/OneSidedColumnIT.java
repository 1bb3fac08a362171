package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A column on one side only is one schema difference, not every row (README, "Schema drift while monitoring"): the
 * target gains {@code customers.locale} (a feature branch's migration, with a default, so every target row has a
 * value), rows keep flowing, and a full re-read of both sides finds no DIVERGENT key — the gate fails on {@code schema}
 * alone. A real difference in a shared column is still found, and the drill-down names that column only. When the
 * source gains the column too, rows are compared over it again (a value that differs only there is DIVERGENT); when the
 * source drops it again, it is left out again and the pair is IN_SYNC. On every engine.
 */
class OneSidedColumnIT {
    private static final String TOKEN = "one-sided";
    private static final int ROWS = 300;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void shouldReportAOneSidedColumnOnceAndCompareRowsOverTheSharedColumns(Engine engine) throws Exception {
        boolean pg = engine == Engine.POSTGRESQL;
        String table = pg ? "public.customers" : "shop.customers";
        try (LocalPair pair = pg ? PostgresPair.start() : BinlogPair.start(engine, "shop")) {
            if (pg) {
                PostgresPair p = (PostgresPair) pair;
                p.ddl("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)", HeartbeatWriter.ddl("public.parity_heartbeat"));
                p.onSource("INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, " + ROWS + ") g");
                p.replicate("onesided");
            } else {
                ((BinlogPair) pair).onSource("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
                        "INSERT INTO customers SELECT seq, CONCAT('customer ', seq) FROM " + BinlogPair.seq(ROWS));
            }
            ParityProbe.awaitRows(pair::target, "customers", ROWS);
            try (Parity parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: onesided
                    source: {url: "%s", user: %s}
                    target: {url: "%s", user: %s}
                    tables: {include: ["%s"]}
                    verify: {interval: 1h}   # rounds only when the test asks, and the re-reads a structure change asks for
                    api: {port: 0, token: %s}
                    state: {dir: "%s"}
                    """, pair.sourceUrl(), pg ? "postgres" : "root", pair.targetUrl(), pg ? "postgres" : "root", table, TOKEN,
                    Files.createTempDirectory("parity-onesided")), "onesided", Map.of()))) {
                ParityProbe.awaitInSync(parity);

                // The target only: a column with a value in every row. Replication goes on (an extra last column is fine).
                run(pair.target(), "ALTER TABLE customers ADD COLUMN locale VARCHAR(10) NOT NULL DEFAULT 'en'");
                run(pair.source(), "UPDATE customers SET name = CONCAT(name, '.') WHERE id <= 50");
                await().atMost(ParityProbe.VERDICT).until(() -> pair.count(dev.parity.reconciler.model.Side.TARGET,
                        "customers WHERE name LIKE '%.'") == 50);
                ParityProbe.sweep(parity); // every row of both sides read again, the target's with its locale
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    assertThat(ParityProbe.table(parity, table)).containsEntry("state", "IN_SYNC").containsEntry("divergentKeys", 0L)
                            .containsEntry("pendingKeys", 0L);
                    assertThat(schemaDifferences(parity)).anySatisfy(d -> assertThat(d.toString()).contains(table).contains("locale"));
                    assertThat(ParityProbe.failing(ParityProbe.readiness(parity, TOKEN, "?timeout=30s"))).containsExactly("schema");
                });

                // A real difference in a shared column is still found, and named by its column alone.
                run(pair.target(), "UPDATE customers SET name = 'rogue' WHERE id = 7");
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(divergent(parity, table)).containsExactly("{id=7}"));
                // (its columns once the drill-down has read the key on both sides)
                await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(NullPointerException.class)
                        .untilAsserted(() -> assertThat(ParityProbe.divergences(parity, table, 10)).singleElement()
                        .satisfies(d -> assertThat(((List<?>) d.get("columns")).stream().map(c -> String.valueOf(((Map<?, ?>) c).get("name"))).toList())
                                .containsExactly("name")));
                run(pair.target(), "UPDATE customers SET name = 'customer 7.' WHERE id = 7"); // as the source has it since the update above
                ParityProbe.awaitInSync(parity);

                // The source gains the column too (the migration run on each server by hand): compared over it again.
                run(pair.source(), pg ? "ALTER TABLE customers ADD COLUMN locale VARCHAR(10) NOT NULL DEFAULT 'en'"
                        : "SET SESSION sql_log_bin = 0; ALTER TABLE customers ADD COLUMN locale VARCHAR(10) NOT NULL DEFAULT 'en'");
                await().atMost(ParityProbe.VERDICT).untilAsserted(() ->
                        assertThat(schemaDifferences(parity)).noneSatisfy(d -> assertThat(d.toString()).contains("locale")));
                run(pair.target(), "UPDATE customers SET locale = 'fr' WHERE id = 9");
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(divergent(parity, table)).containsExactly("{id=9}"));

                // Dropped from the source again: one-sided again, left out again, and the pair IN_SYNC.
                run(pair.source(), pg ? "ALTER TABLE customers DROP COLUMN locale"
                        : "SET SESSION sql_log_bin = 0; ALTER TABLE customers DROP COLUMN locale");
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    assertThat(divergent(parity, table)).isEmpty();
                    assertThat(ParityProbe.table(parity, table)).containsEntry("state", "IN_SYNC");
                });
            }
        }
    }

    /** Statements one by one, on a connection of the pair (which opens the tables' database). */
    private static void run(Connection connection, String sql) throws Exception {
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String s : sql.split("; ")) {
                st.execute(s);
            }
        }
    }

    private static List<String> divergent(Parity parity, String table) {
        return ParityProbe.divergences(parity, table, 100).stream().filter(d -> "DIVERGENT".equals(d.get("state")))
                .map(d -> String.valueOf(d.get("key"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> schemaDifferences(Parity parity) {
        return (List<Map<String, Object>>) ((Map<String, Object>) ParityProbe.status(parity).get("schema")).get("differences");
    }
}
