package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.cli.ParityCliAccess;
import dev.parity.api.kafka.LocalConnect;
import dev.parity.ingest.local.PostgresPair;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Several instances (README, "Deployment"): two {@code parity run} processes of one application on an external
 * Kafka ({@link ExternalKafka}), capturing from Debezium connectors on a real Kafka Connect worker, watching a
 * real replicated PostgreSQL pair. The reconciler's partitions spread over both; exactly one holds the capture
 * lease; either API answers for the whole application with the same divergences and the same gate. The lease
 * holder is then killed with SIGKILL: the survivor takes the lease and every partition, and reports both the
 * target-only write found before the kill and one made after it, with no false DIVERGENT and no key lost.
 */
class ScaleOutIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "scale-token";
    private static final String TABLE = "public.items";
    private static final int ROWS = 2_000;

    @Test
    void shouldAnswerForTheWholeApplicationFromEitherInstanceAndSurviveTheLossOfOne() throws Exception {
        Path dir = Files.createTempDirectory("parity-scale");
        try (PostgresPair pg = PostgresPair.start(); ExternalKafka kafka = ExternalKafka.start(dir)) {
            pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL, qty INT)",
                    dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat")); // before the subscription: it replicates too
            pg.onSource("INSERT INTO items SELECT g, 'item ' || g, g % 10 FROM generate_series(1, " + ROWS + ") g");
            pg.replicate("shop");
            ParityProbe.awaitRows(pg::target, "items", ROWS);
            LocalConnect connect = LocalConnect.start(kafka.bootstrapServers(), "parity-it-connect");
            List<ParityProcess> instances = new ArrayList<>();
            try {
                Path configA = config(dir, "a", pg, kafka, ParityProcess.freePort());
                Path configB = config(dir, "b", pg, kafka, ParityProcess.freePort());
                StringWriter out = new StringWriter();
                assertThat(ParityCliAccess.runCapturingOut(out, "connect-config", "-c", configA.toString())).isZero();
                for (JsonNode c : JSON.readTree(out.toString())) {
                    connect.post(c);
                }
                ParityProcess a = ParityProcess.launch(configA, dir.resolve("a.log"), port(configA), TOKEN);
                instances.add(a);
                ParityProcess b = ParityProcess.launch(configB, dir.resolve("b.log"), port(configB), TOKEN);
                instances.add(b);

                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(a.metric("parity_instance_partitions_active")).as("partitions spread over both").isPositive();
                    assertThat(b.metric("parity_instance_partitions_active")).isPositive();
                    assertThat(a.metric("parity_instance_partitions_active") + b.metric("parity_instance_partitions_active")).isEqualTo(4);
                    assertThat(a.metric("parity_instance_lease_held") + b.metric("parity_instance_lease_held")).as("one lease holder").isEqualTo(1);
                    assertThat(a.state()).isEqualTo("IN_SYNC");
                    assertThat(b.state()).isEqualTo("IN_SYNC");
                });
                // A quiet console (README, "Logs"): Parity's lines and where the full log is; Kafka Streams' warning about a
                // state dir under /tmp goes to <state.dir>/parity.log only.
                assertThat(Files.readString(a.log())).contains("Parity running; status at", "full log in").doesNotContain("StateDirectory");
                assertThat(Files.readString(dir.resolve("state-a").resolve("parity.log"))).contains("StateDirectory", "Using an OS temp directory");
                ParityProcess holder = a.metric("parity_instance_lease_held") == 1 ? a : b;
                ParityProcess other = holder == a ? b : a;
                assertThat(other.table(TABLE).path("sourceRows").asLong(-1)).as("every key, answered by an instance holding only some partitions").isEqualTo(ROWS);
                for (ParityProcess i : instances) { // the gate through either instance: the follower passes it to the holder
                    await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(i.readiness().path("ready").asBoolean()).isTrue());
                }

                pg.onTarget("UPDATE items SET name = 'changed' WHERE id = 7");
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    assertThat(a.divergent(TABLE)).containsExactly("MISMATCH 7");
                    assertThat(b.divergent(TABLE)).containsExactly("MISMATCH 7");
                });
                for (ParityProcess i : instances) {
                    JsonNode report = i.readiness();
                    assertThat(report.path("ready").asBoolean()).isFalse();
                    assertThat(ParityProbe.failing(report)).contains("divergent-keys");
                }

                holder.kill(); // SIGKILL: no leave, no clean close
                pg.onTarget("DELETE FROM items WHERE id = 8");
                // Replicated (and away from 7 and 8: a replicated UPDATE carries the whole row and would heal 7): no alarm may come of it.
                pg.onSource("UPDATE items SET qty = qty + 1 WHERE id > 100 AND id <= 200");
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(other.metric("parity_instance_lease_held")).as("the survivor took the lease").isEqualTo(1);
                    assertThat(other.metric("parity_instance_partitions_active")).as("and every partition").isEqualTo(4);
                    assertThat(other.divergent(TABLE)).containsExactlyInAnyOrder("MISMATCH 7", "MISSING_ON_TARGET 8");
                });
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> {
                    assertThat(pg.count(dev.parity.reconciler.model.Side.TARGET, "items WHERE qty = id % 10 + 1 AND id > 100 AND id <= 200")).isEqualTo(100);
                    assertThat(other.state()).isEqualTo("DIVERGENT");
                    assertThat(other.table(TABLE).path("sourceRows").asLong(-1)).as("no key lost").isEqualTo(ROWS);
                    assertThat(other.table(TABLE).path("pendingKeys").asLong()).isZero();
                });
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(other.divergent(TABLE)).as("no false DIVERGENT").containsExactlyInAnyOrder("MISMATCH 7", "MISSING_ON_TARGET 8"));
                JsonNode report = other.readiness();
                assertThat(report.path("ready").asBoolean()).isFalse();
                assertThat(ParityProbe.failing(report)).contains("divergent-keys");
            } catch (AssertionError | Exception e) {
                instances.forEach(ParityProcess::printLog);
                for (ParityProcess i : instances) {
                    if (i.process().isAlive()) {
                        System.err.println("--- " + i.port() + " divergences: " + i.get("/api/v1/divergences?table=" + TABLE + "&limit=100").body());
                        System.err.println("--- " + i.port() + " status: " + i.get("/api/v1/status").body());
                    }
                }
                throw e;
            } finally {
                for (ParityProcess i : instances) {
                    i.close();
                }
                connect.close();
            }
        }
    }

    private static Path config(Path dir, String id, PostgresPair pg, ExternalKafka kafka, int port) throws IOException {
        return Files.writeString(dir.resolve(id + ".yaml"), String.format("""
                name: scaleout
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.*"]}
                kafka: {bootstrapServers: "%s", partitions: 4}
                capture: {mode: connect}
                verify: {interval: 1h}
                api: {port: %d, token: %s, advertise: "127.0.0.1:%d"}
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), kafka.bootstrapServers(), port, TOKEN, port, dir.resolve("state-" + id)));
    }

    private static int port(Path config) throws IOException {
        return Integer.parseInt(Files.readString(config).replaceAll("(?s).*api: \\{port: (\\d+).*", "$1"));
    }
}
