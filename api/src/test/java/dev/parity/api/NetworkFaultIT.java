package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The network between Parity and the target cut, then black-holed, and restored each time (README, "When things
 * fail"), through a TCP proxy that carries every connection Parity makes to the target — its capture's and its
 * reads' — while the user's replication goes direct. Cut: STALE, never IN_SYNC while cut, the capture replaced once
 * the network is back, and a target-only write made meanwhile found. Black hole (connections open, nothing
 * passing): nothing hangs — status answers within a second throughout — the silent capture is noticed (STALE) and
 * replaced, reads give up after their timeout, and IN_SYNC comes back by itself. No other key is ever DIVERGENT.
 */
class NetworkFaultIT {
    private static final String TABLE = "public.accounts";

    @Test
    void shouldBeStaleThroughACutAndABlackHoleAndRecoverByItself() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)", dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 500) g");
            pg.replicate("net");
            ParityProbe.awaitRows(pg::target, "accounts", 500);
            int targetPort = Integer.parseInt(pg.targetUrl().replaceAll("^jdbc:postgresql://[^:]+:(\\d+)/.*$", "$1"));
            try (TcpProxy proxy = new TcpProxy("127.0.0.1", targetPort);
                 Parity parity = Parity.start(ConfigLoader.parse(String.format("""
                         name: net
                         source: {url: "%s", user: postgres}
                         target: {url: "%s", user: postgres}
                         tables: {include: ["%s"]}
                         verify: {interval: 5s}
                         api: {port: 0}
                         state: {dir: "%s"}
                         """, pg.sourceUrl(), pg.targetUrl().replace(":" + targetPort + "/", ":" + proxy.port() + "/"), TABLE,
                         Files.createTempDirectory("parity-net")), "net", Map.of()))) {
                ParityProbe.awaitInSync(parity);
                VerdictWatch watch = new VerdictWatch(parity, TABLE);
                List<String> states = watch.states;
                Set<String> divergent = watch.divergent;
                AtomicLong slowest = watch.slowestMillis;
                try {
                    // 1. Cut.
                    proxy.cut();
                    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                            .until(() -> "STALE".equals(ParityProbe.state(parity)));
                    int cutAt = states.size();
                    pg.onTarget("UPDATE accounts SET balance = -1 WHERE id = 150"); // the user's connection, not through the proxy
                    pg.onSource("UPDATE accounts SET balance = balance + 1 WHERE id <= 20"); // replicated meanwhile
                    Thread.sleep(5_000);
                    proxy.restore();
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(divergent).contains("150"));
                    assertThat(states.subList(cutAt, states.size())).as("never IN_SYNC from the cut to the verdict").doesNotContain("IN_SYNC");
                    pg.onTarget("UPDATE accounts SET balance = 100 WHERE id = 150");
                    await().atMost(ParityProbe.VERDICT).pollInterval(Duration.ofMillis(200)).until(() -> "IN_SYNC".equals(ParityProbe.state(parity)));

                    // 2. Black hole: the capture's connection stays open and silent.
                    proxy.blackHole();
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                            .until(() -> "STALE".equals(ParityProbe.state(parity)));
                    int holeAt = states.size();
                    pg.onSource("UPDATE accounts SET balance = balance + 1 WHERE id > 400"); // replicated meanwhile
                    Thread.sleep(5_000);
                    assertThat(states.subList(holeAt, states.size())).doesNotContain("IN_SYNC");
                    proxy.restore();
                    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> "IN_SYNC".equals(ParityProbe.state(parity)));
                } catch (AssertionError | RuntimeException e) {
                    System.err.println("--- status: " + ParityProbe.status(parity));
                    System.err.println("--- divergences: " + ParityProbe.divergences(parity, TABLE, 100));
                    System.err.println("--- states seen: " + String.join(",", new java.util.LinkedHashSet<>(states)));
                    throw e;
                } finally {
                    watch.close();
                }
                assertThat(divergent).as("no key but the target-only write, ever").containsExactly("150");
                assertThat(slowest.get()).as("status and divergences answered without waiting on the network (ms)").isLessThan(5_000);
                Map<String, Object> t = ParityProbe.table(parity, TABLE);
                assertThat(t.get("sourceDigest")).isEqualTo(t.get("targetDigest"));
            }
        }
    }
}
