package dev.parity.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.kafka.EmbeddedKafka;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.topology.ReconcilerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;

/**
 * Fail safe under partial ownership: two reconcilers of one application on one real broker split the
 * partitions, and neither answers from its half (that half could be IN_SYNC while the other is not); once
 * one leaves, the other holds everything and answers again.
 */
class PartialOwnershipIT {
    private static final String SOURCE = "parity.split.source";
    private static final String TARGET = "parity.split.target";

    @Test
    void shouldRefuseToAnswerFromSomePartitionsOnly() throws Exception {
        Path dir = Files.createTempDirectory("parity-split");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            Map<String, Object> props = new HashMap<>();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            assertThat(ReconcilerStreams.ensureTopics(props, SOURCE, TARGET, 4, true)).isEqualTo(4);
            ParityConfig config = ConfigLoader.parse("""
                    name: split
                    source: {url: "jdbc:postgresql://127.0.0.1/a", user: u}
                    target: {url: "jdbc:postgresql://127.0.0.1/b", user: u}
                    kafka: {bootstrapServers: "%s"}
                    """.formatted(kafka.bootstrapServers()), "split", Map.of());
            Chunking chunking = new Chunking(config.chunkBits());
            KafkaStreams a = ReconcilerStreams.start(props, config, dir.resolve("a"), new ReconcilerSettings(SOURCE, TARGET, chunking, 0));
            KafkaStreams b = null;
            try {
                ReconcilerView viewA = ReconcilerStreams.view(a, config, chunking, SOURCE, 4);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(viewA.tables()).isEmpty());
                b = ReconcilerStreams.start(props, config, dir.resolve("b"), new ReconcilerSettings(SOURCE, TARGET, chunking, 0));
                ReconcilerView viewB = ReconcilerStreams.view(b, config, chunking, SOURCE, 4);
                KafkaStreams second = b;
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    assertThat(a.state()).isEqualTo(KafkaStreams.State.RUNNING);
                    assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
                    assertThat(dev.parity.api.cluster.Ownership.missing(a, SOURCE, 4)).isNotNull();
                    assertThat(dev.parity.api.cluster.Ownership.missing(second, SOURCE, 4)).isNotNull();
                });
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> { // past the view's cached ownership check
                    assertThatThrownBy(viewA::tables).isInstanceOf(InvalidStateStoreException.class).hasMessageContaining("another instance");
                    assertThatThrownBy(viewB::tables).isInstanceOf(InvalidStateStoreException.class).hasMessageContaining("another instance");
                });
                ReconcilerStreams.stop(b);
                b = null;
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(dev.parity.api.cluster.Ownership.missing(a, SOURCE, 4)).isNull();
                    assertThat(viewA.tables()).isEmpty();
                });
            } finally {
                if (b != null) {
                    ReconcilerStreams.stop(b);
                }
                ReconcilerStreams.stop(a);
            }
        }
    }
}
