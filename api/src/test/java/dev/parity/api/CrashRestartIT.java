package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity killed with SIGKILL (README, "When things fail"), in its default one-process form — the embedded broker
 * dies with it — under a steady replicated write load, once in the middle of its initial load and once mid-stream,
 * and restarted each time. After the first crash it reaches IN_SYNC with every row counted once on each side
 * (the digests' row counts equal the databases' counts: nothing counted twice, nothing lost); after the second, the
 * two target-only writes made while it was down are found, and nothing else is ever reported DIVERGENT. Under the
 * default exactly-once processing and under {@code processing.guarantee: at_least_once} (where the reconciler audits
 * its stores at start). The same on a MySQL pair under the default guarantee: {@link CrashRestartOnMySqlIT}.
 */
class CrashRestartIT {
    private static final String TOKEN = "crash-token";
    private static final int ROWS = 200_000;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
    void shouldReachTheSameVerdictsAfterSigkillMidLoadAndMidStream(String guarantee) throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            ReplicatedWrites.itemsTable(pg, ROWS, "crash");
            crashTwice(pg, "postgres", "public.items", guarantee, ROWS);
        }
    }

    /** Both crashes and their checks on any pair (CrashRestartOnMySqlIT runs it on MySQL, in a JVM of its own beside this one). */
    static void crashTwice(LocalPair pg, String user, String table, String guarantee, int rows) throws Exception {
        Path dir = Files.createTempDirectory("parity-crash");
        int port = ParityProcess.freePort();
        Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                name: crash
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                snapshot: {pageRows: 2000}
                verify: {interval: 1h}
                kafka: {properties: {processing.guarantee: %s}}
                api: {port: %d, token: %s}
                state: {dir: "%s"}
                """, pg.sourceUrl(), user, pg.targetUrl(), user, table, guarantee, port, TOKEN, dir.resolve("state")));
        Path log = dir.resolve("parity.log");
        ReplicatedWrites load = new ReplicatedWrites(pg, rows);
        Set<String> everDivergent = new ConcurrentSkipListSet<>();
        List<ParityProcess> launched = new java.util.ArrayList<>();
        ParityProcess parity = launch(launched, config, log, port);
        try {
            // 1. SIGKILL in the middle of the initial load.
            load.start();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                JsonNode snap = parity.json("/api/v1/status").path("sides").path("source").path("snapshot");
                long done = snap.path("rowsDone").asLong();
                assertThat(done).as("the load must still be under way when it is caught: " + snap).isLessThan(rows);
                return snap.path("running").asBoolean() && done > 0;
            });
            parity.kill();
            ParityProcess second = launch(launched, config, log, port);
            var watched = second.watchDivergent(everDivergent, p -> p.divergent(table));
            load.pause();
            second.awaitCounted(pg, table, "items");
            assertThat(watched.get()).as("the divergences were watched").isPositive();
            assertThat(everDivergent).as("no DIVERGENT from a crash mid-load").isEmpty();
            second.kill();

            // 2. SIGKILL mid-stream; target-only writes while it is down; the source's writes go on.
            ParityProcess third = launch(launched, config, log, port);
            third.awaitCounted(pg, table, "items");
            load.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.done.get() > 500);
            third.kill();
            try (var c = pg.target(); var st = c.createStatement()) { // the pair's connection opens its database: items unqualified
                st.execute("UPDATE items SET note = 'target only' WHERE id = 42");
                st.execute("INSERT INTO items VALUES (-1, -1, 'target only')");
            }
            long before = load.done.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.done.get() > before + 300);
            ParityProcess fourth = launch(launched, config, log, port);
            fourth.watchDivergent(everDivergent, p -> p.divergent(table));
            await().atMost(Duration.ofSeconds(20)).until(() -> load.done.get() > before + 600);
            load.pause();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                assertThat(fourth.divergent(table)).containsExactlyInAnyOrder("MISMATCH 42", "EXTRA_ON_TARGET -1");
                JsonNode t = fourth.table(table);
                assertThat(t.path("pendingKeys").asLong()).isZero();
                assertThat(t.path("sourceRows").asLong()).as("each source row counted once").isEqualTo(pg.count(Side.SOURCE, "items"));
                assertThat(t.path("targetRows").asLong()).as("each target row counted once").isEqualTo(pg.count(Side.TARGET, "items"));
            });
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(everDivergent).as("nothing but the two target-only writes, ever").containsExactlyInAnyOrder("MISMATCH 42", "EXTRA_ON_TARGET -1"));
            assertThat(ParityProbe.failing(fourth.readiness())).contains("divergent-keys");
            fourth.close();
        } catch (AssertionError | Exception e) {
            System.err.println("--- " + guarantee + ": DIVERGENT keys seen: " + everDivergent);
            parity.printLog();
            throw e;
        } finally {
            load.stop();
            for (ParityProcess p : launched) {
                p.close();
            }
        }
    }

    private static ParityProcess launch(List<ParityProcess> launched, Path config, Path log, int port) throws java.io.IOException {
        ParityProcess p = ParityProcess.launch(config, log, port, TOKEN);
        launched.add(p);
        return p;
    }
}
