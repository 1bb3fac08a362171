package dev.parity.api.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code parity bench -c FILE} on a real replicated PostgreSQL pair: it reaches a first verdict on the
 * configured tables, times the in-database checksum beside it, and leaves nothing behind: no slot, no
 * publication, and the heartbeat table that existed before is kept.
 */
class ConfiguredBenchIT {
    @Test
    void shouldMeasureTheConfiguredDatabasesAndDropWhatItCreated() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE orders (id INT PRIMARY KEY, amount NUMERIC(10,2) NOT NULL)", HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO orders SELECT g, g / 100.0 FROM generate_series(1, 5000) g");
            pg.replicate("cb");
            await().atMost(Duration.ofSeconds(60)).until(() -> count(pg.target(), "SELECT count(*) FROM orders") == 5000);
            var config = ConfigLoader.parse(String.format("""
                    name: shop
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.orders"]}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), Files.createTempDirectory("parity-user-state")), "cb", Map.of());

            PrintStream out = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                ConfiguredBench.run(config, 2);
            } finally {
                System.setOut(out);
            }
            String printed = captured.toString(StandardCharsets.UTF_8);
            out.print(printed);
            assertThat(printed).contains("instance shop_bench").containsPattern("first verdict .*: [0-9.]+ s, state IN_SYNC, baseline PARITY")
                    .contains("public.orders on the source").contains("public.orders on the target").contains("steady state under your own workload");
            for (Connection c : List.of(pg.source(), pg.target())) {
                try (c) {
                    assertThat(names(c, "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'parity%'")).isEmpty();
                    assertThat(names(c, "SELECT pubname FROM pg_publication WHERE pubname LIKE 'parity%'")).isEmpty();
                }
            }
            assertThat(count(pg.source(), "SELECT count(*) FROM parity_heartbeat")).as("the heartbeat table existed before: kept").isEqualTo(1);
            assertThat(count(pg.target(), "SELECT count(*) FROM orders")).isEqualTo(5000);
        }
    }

    private static long count(Connection connection, String sql) throws Exception {
        try (Connection c = connection; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> names(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
