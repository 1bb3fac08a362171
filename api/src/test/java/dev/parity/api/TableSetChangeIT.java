package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;

/**
 * The set of tables changing under a running {@code parity run} (README, "When things fail"): a new table matching the
 * filter, created on both sides with rows, is reported, planned and loaded (its rows counted, a target-only change in it
 * found); renamed on both sides, it is watched under its new name and its old name's state cleared; dropped on both
 * sides, it is no longer watched and nothing of it is reported. Nothing is ever DIVERGENT but the one target-only change.
 */
class TableSetChangeIT {
    private static final String TOKEN = "tables-token";

    @Test
    void shouldPlanNewRenamedAndDroppedTablesAgainWithoutFalseAlarms() throws Exception {
        Path dir = Files.createTempDirectory("parity-tables");
        List<ParityProcess> launched = new ArrayList<>();
        Set<String> everDivergent = new ConcurrentSkipListSet<>();
        Path console = dir.resolve("console.log");
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, v INT NOT NULL)", dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO items SELECT g, g FROM generate_series(1, 2000) g");
            pg.replicate("tableset");
            ParityProbe.awaitRows(pg::target, "items", 2000);
            int port = ParityProcess.freePort();
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                    name: tableset
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.*"]}
                    verify: {interval: 1h}
                    api: {port: %d, token: %s}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), port, TOKEN, dir.resolve("state")));
            ParityProcess parity = ParityProcess.launch(config, console, port, TOKEN);
            launched.add(parity);
            parity.watchDivergent(everDivergent, ParityProcess::allDivergent);
            parity.awaitCounted(pg, "public.items", "items");
            assertThat(watched(parity)).containsExactly("public.items");

            // A new table on both sides (logical replication carries no DDL: made on each, then the subscription refreshed).
            pg.ddl("CREATE TABLE extra (id INT PRIMARY KEY, v INT NOT NULL)");
            pg.onSource("INSERT INTO extra SELECT g, g FROM generate_series(1, 500) g");
            pg.onTarget("ALTER SUBSCRIPTION tableset REFRESH PUBLICATION");
            ParityProbe.awaitRows(pg::target, "extra", 500);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                assertThat(watched(parity)).containsExactly("public.extra", "public.items");
                assertCounted(parity, pg, "public.extra", "extra");
                assertThat(parity.state()).isEqualTo("IN_SYNC");
            });
            assertThat(Files.readString(console)).contains("planning its tables again");
            pg.onTarget("UPDATE extra SET v = -1 WHERE id = 7");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> parity.divergent("public.extra").equals(List.of("MISMATCH 7")));

            // Renamed on both sides: watched under the new name (its rows loaded again, the difference found again), the old name cleared.
            pg.ddl("ALTER TABLE extra RENAME TO extra2");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                assertThat(watched(parity)).containsExactly("public.extra2", "public.items");
                assertCounted(parity, pg, "public.extra2", "extra2");
                assertThat(parity.divergent("public.extra2")).containsExactly("MISMATCH 7");
                assertThat(parity.allDivergent()).containsExactly("public.extra2 MISMATCH 7");
            });

            // Dropped on both sides: no longer watched, nothing of it left.
            pg.ddl("DROP TABLE extra2");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                assertThat(watched(parity)).containsExactly("public.items");
                assertThat(parity.allDivergent()).isEmpty();
                assertThat(parity.state()).isEqualTo("IN_SYNC");
            });
            assertThat(everDivergent).as("nothing but the target-only change, ever").isSubsetOf("public.extra MISMATCH 7", "public.extra2 MISMATCH 7");
            assertThat(parity.process().isAlive()).as("planned again in the same process").isTrue();
        } catch (AssertionError | Exception e) {
            System.err.println("--- DIVERGENT seen: " + everDivergent);
            if (!launched.isEmpty()) {
                launched.get(0).printLog();
            }
            throw e;
        } finally {
            for (ParityProcess p : launched) {
                p.close();
            }
        }
    }

    private static List<String> watched(ParityProcess p) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode t : p.json("/api/v1/status").path("tables")) {
            out.add(t.path("table").asText());
        }
        return out.stream().sorted().toList();
    }

    private static void assertCounted(ParityProcess p, PostgresPair pg, String table, String local) throws Exception {
        JsonNode t = p.table(table);
        assertThat(t.path("pendingKeys").asLong()).isZero();
        assertThat(t.path("sourceRows").asLong()).isEqualTo(pg.count(Side.SOURCE, local));
        assertThat(t.path("targetRows").asLong()).isEqualTo(pg.count(Side.TARGET, local));
    }
}
