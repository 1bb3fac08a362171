package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The external Kafka broker killed (SIGKILL) under a replicated write load and started again 10 s later (README, "When
 * things fail"): Parity is never IN_SYNC while it cannot reach Kafka, waits, resumes by itself, and loses nothing —
 * a target-only write made while the broker was down is found, every row is counted once, and no other key is
 * ever DIVERGENT.
 */
class BrokerRestartIT {
    private static final String TABLE = "public.accounts";

    @Test
    void shouldWaitForTheBrokerAndLoseNothing() throws Exception {
        Path dir = Files.createTempDirectory("parity-broker-restart");
        try (PostgresPair pg = PostgresPair.start(); ExternalKafka kafka = ExternalKafka.start(dir)) {
            assumeTrue(kafka.restartable(), "a container broker is not restarted by these tests");
            pg.ddl("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)", dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 2000) g");
            pg.replicate("broker");
            ParityProbe.awaitRows(pg::target, "accounts", 2000);
            try (Parity parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: broker
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["%s"]}
                    kafka: {bootstrapServers: "%s"}
                    verify: {interval: 1h}
                    api: {port: 0}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), TABLE, kafka.bootstrapServers(), dir.resolve("state")), "broker", Map.of()))) {
                ParityProbe.awaitInSync(parity);
                VerdictWatch watch = new VerdictWatch(parity, TABLE);
                List<String> states = watch.states;
                Set<String> divergent = watch.divergent;
                AtomicBoolean writing = new AtomicBoolean(true);
                Thread writer = new Thread(() -> {
                    try (Connection c = pg.source(); PreparedStatement st = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
                        while (writing.get()) {
                            st.setInt(1, 100 + ThreadLocalRandom.current().nextInt(1900)); // never 42
                            st.executeUpdate();
                            Thread.sleep(10);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "broker-writes");
                writer.start();
                try {
                    Thread.sleep(2_000);
                    kafka.kill();
                    pg.onTarget("UPDATE accounts SET balance = -1 WHERE id = 42");
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !"IN_SYNC".equals(ParityProbe.state(parity)));
                    int downAt = states.size();
                    Thread.sleep(10_000);
                    List<String> since = List.copyOf(states); // a snapshot: the watch keeps adding (a view of the list would fail)
                    assertThat(since.subList(downAt, since.size())).as("never IN_SYNC without Kafka").doesNotContain("IN_SYNC").isNotEmpty();
                    kafka.restart();
                    Thread.sleep(5_000);
                } finally {
                    writing.set(false);
                    writer.join(10_000);
                }
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                    List<Map<String, Object>> d = ParityProbe.divergences(parity, TABLE, 100);
                    assertThat(d).singleElement().satisfies(x -> {
                        assertThat(x.get("state")).isEqualTo("DIVERGENT");
                        assertThat(String.valueOf(((Map<?, ?>) x.get("key")).get("id"))).isEqualTo("42");
                    });
                    Map<String, Object> t = ParityProbe.table(parity, TABLE);
                    assertThat(((Number) t.get("sourceRows")).longValue()).isEqualTo(pg.count(Side.SOURCE, "accounts"));
                    assertThat(((Number) t.get("targetRows")).longValue()).isEqualTo(pg.count(Side.TARGET, "accounts"));
                    assertThat(((Number) t.get("pendingKeys")).longValue()).isZero();
                });
                watch.close();
                assertThat(divergent).as("no other key DIVERGENT, ever").isSubsetOf("42");
            }
        }
    }
}
