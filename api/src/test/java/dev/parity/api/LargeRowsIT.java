package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Big inputs in bounded memory (README, "When things fail"): {@code parity run} in a child JVM with a 256 MB heap
 * watches a real PostgreSQL pair holding 30 rows of 10 MB values (300 MB, incompressible: more than the heap), a table of 1,000
 * columns and a table keyed by 3 KB strings. It loads, streams and re-reads all three, IN_SYNC, follows replicated
 * changes to them, finds a target-only change inside a 10 MB value, and never runs out of memory.
 */
class LargeRowsIT {
    private static final String TOKEN = "large-token";
    private static final int BIG_ROWS = 30;

    @Test
    void shouldHandleTenMegabyteValuesAThousandColumnsAndThreeKilobyteKeys() throws Exception {
        Path dir = Files.createTempDirectory("parity-large");
        try (PostgresPair pg = PostgresPair.start()) {
            String wideColumns = IntStream.rangeClosed(1, 1000).mapToObj(i -> "c" + i + " INT").collect(Collectors.joining(", "));
            pg.ddl("CREATE TABLE big (id INT PRIMARY KEY, payload TEXT NOT NULL)",
                    "CREATE TABLE wide (id INT PRIMARY KEY, " + wideColumns + ")",
                    "CREATE TABLE longkeys (k TEXT PRIMARY KEY, v INT NOT NULL)",
                    dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            // 10 MB of md5 hex per row: nothing for TOAST to compress.
            pg.onSource("INSERT INTO big SELECT i, (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 327680) g)"
                            + " FROM generate_series(1, " + BIG_ROWS + ") i",
                    "INSERT INTO wide (id, " + IntStream.rangeClosed(1, 1000).mapToObj(i -> "c" + i).collect(Collectors.joining(", ")) + ") SELECT g, "
                            + IntStream.rangeClosed(1, 1000).mapToObj(i -> "g + " + i).collect(Collectors.joining(", ")) + " FROM generate_series(1, 200) g",
                    "INSERT INTO longkeys SELECT repeat('k', 3000) || g, g FROM generate_series(1, 500) g");
            pg.replicate("large");
            // 300 MB through logical replication's initial copy: over a minute on CI's loaded cores.
            ParityProbe.awaitRows(pg::target, "big", BIG_ROWS, Duration.ofMinutes(5));
            ParityProbe.awaitRows(pg::target, "wide", 200);
            ParityProbe.awaitRows(pg::target, "longkeys", 500);
            int port = ParityProcess.freePort();
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                    name: large
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.big", "public.wide", "public.longkeys"]}
                    verify: {interval: 5s}
                    api: {port: %d, token: %s}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), port, TOKEN, dir.resolve("state")));
            Path log = dir.resolve("parity.log");
            try (ParityProcess p = ParityProcess.launch(config, log, port, TOKEN, "256m")) {
                try {
                    await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                        assertThat(p.process().isAlive()).as("the process").isTrue();
                        assertThat(p.state()).isEqualTo("IN_SYNC");
                        assertThat(p.table("public.big").path("sourceRows").asLong()).isEqualTo(BIG_ROWS);
                        assertThat(p.table("public.wide").path("sourceRows").asLong()).isEqualTo(200);
                        assertThat(p.table("public.longkeys").path("targetRows").asLong()).isEqualTo(500);
                        assertThat(p.json("/api/v1/status").path("verification").path("roundsCompleted").asLong()).isPositive();
                    });
                    pg.onSource("UPDATE big SET payload = (SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 327680) g) WHERE id = 3",
                            "UPDATE wide SET c500 = -1, c1000 = -1 WHERE id = 7", "UPDATE longkeys SET v = -1 WHERE k = repeat('k', 3000) || 9");
                    pg.onTarget("UPDATE big SET payload = payload || 'x' WHERE id = 5");
                    await().atMost(ParityProbe.VERDICT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                        assertThat(p.divergent("public.big")).containsExactly("MISMATCH 5");
                        assertThat(p.divergent("public.wide")).isEmpty();
                        assertThat(p.divergent("public.longkeys")).isEmpty();
                        JsonNode wide = p.table("public.wide");
                        assertThat(wide.path("pendingKeys").asLong()).isZero();
                        assertThat(wide.path("sourceDigest").asText()).isEqualTo(wide.path("targetDigest").asText());
                    });
                    assertThat(pg.count(Side.TARGET, "wide WHERE c500 = -1")).isEqualTo(1);
                    assertThat(p.process().isAlive()).isTrue();
                    assertThat(Files.readString(log) + Files.readString(dir.resolve("state").resolve("parity.log"))).doesNotContain("OutOfMemoryError");
                } catch (AssertionError | Exception e) {
                    p.printLog();
                    throw e;
                }
            }
        }
    }
}
