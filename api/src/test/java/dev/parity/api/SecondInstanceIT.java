package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.cli.ParityCliAccess;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.PostgresPair;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two {@code parity run} of one name with embedded captures on one external Kafka (README, "Deployment"): the second is
 * refused at start with exit 2, naming the running one and what several instances need, before it touches Kafka or a
 * database's replication: the first keeps its replication slots and stays current (a target-only write made after the
 * refusal is found). The first started again from its own state dir is not taken for another instance.
 */
class SecondInstanceIT {
    @Test
    void shouldRefuseASecondEmbeddedInstanceOfTheSameNameAndLeaveTheFirstAlone() throws Exception {
        Path dir = Files.createTempDirectory("parity-twice");
        try (PostgresPair pg = PostgresPair.start(); ExternalKafka kafka = ExternalKafka.start(dir.resolve("kafka"))) {
            ReplicatedWrites.itemsTable(pg, 200, "twice");
            String first = config(pg, kafka, dir.resolve("state-a"));
            try (Parity a = Parity.start(ConfigLoader.parse(first, "a", Map.of()))) {
                ParityProbe.awaitInSync(a);
                Path second = Files.writeString(dir.resolve("b.yaml"), config(pg, kafka, dir.resolve("state-b")));
                StringWriter err = new StringWriter();
                assertThat(ParityCliAccess.run(err, "run", "-c", second.toString())).isEqualTo(2);
                assertThat(err.toString()).contains("name: twice: another Parity of this name is running on this Kafka",
                        "several instances need capture.mode: connect");
                Path captureB = dir.resolve("state-b").resolve("capture");
                try (var files = Files.exists(captureB) ? Files.list(captureB) : java.util.stream.Stream.<Path>empty()) {
                    assertThat(files.toList()).as("no capture offsets or history of its own").isEmpty();
                }
                pg.onTarget("UPDATE items SET note = 'target only' WHERE id = 7");
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.divergences(a, "public.items", 10))
                        .extracting(d -> d.get("key") + " " + d.get("state")).containsExactly("{id=7} DIVERGENT"));
                assertThat(ParityProbe.state(a)).isEqualTo("DIVERGENT");
            }
            // The first again, from its own state: its own earlier membership is not another instance.
            try (Parity again = Parity.start(ConfigLoader.parse(first, "a", Map.of()))) {
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.state(again)).isEqualTo("DIVERGENT"));
            }
        }
    }

    private static String config(PostgresPair pg, ExternalKafka kafka, Path state) {
        return String.format("""
                name: twice
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.items"]}
                kafka: {bootstrapServers: "%s"}
                verify: {interval: 1h}
                api: {port: 0}
                state: {dir: "%s"}
                """, pg.sourceUrl(), pg.targetUrl(), kafka.bootstrapServers(), state);
    }
}
