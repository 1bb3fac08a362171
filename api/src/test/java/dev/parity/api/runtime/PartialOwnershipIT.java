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

    /**
     * With {@code api.advertise}, each instance answers for every partition by asking the owners of those it lacks;
     * when an owner cannot be asked (its API gone, its partitions not yet moved), the query fails instead of
     * answering from the partitions it could read.
     */
    @Test
    void shouldAnswerForEveryPartitionAcrossInstancesAndRefuseWhenAnOwnerCannotBeAsked() throws Exception {
        Path dir = Files.createTempDirectory("parity-cluster");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            Map<String, Object> props = new HashMap<>();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            ReconcilerStreams.ensureTopics(props, SOURCE, TARGET, 4, true);
            int portA = freePort();
            int portB = freePort();
            ParityConfig configA = clusterConfig(kafka, portA);
            ParityConfig configB = clusterConfig(kafka, portB);
            Chunking chunking = new Chunking(configA.chunkBits());
            KafkaStreams a = ReconcilerStreams.start(props, configA, dir.resolve("a"), new ReconcilerSettings(SOURCE, TARGET, chunking, 0));
            KafkaStreams b = ReconcilerStreams.start(props, configB, dir.resolve("b"), new ReconcilerSettings(SOURCE, TARGET, chunking, 0));
            com.sun.net.httpserver.HttpServer apiA = storeApi(a, portA);
            com.sun.net.httpserver.HttpServer apiB = storeApi(b, portB);
            try {
                ReconcilerView viewA = ReconcilerStreams.view(a, configA, chunking, SOURCE, 4);
                ReconcilerView viewB = ReconcilerStreams.view(b, configB, chunking, SOURCE, 4);
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(dev.parity.api.cluster.Ownership.held(a, SOURCE)).isNotEmpty();
                    assertThat(dev.parity.api.cluster.Ownership.held(b, SOURCE)).isNotEmpty();
                    assertThat(viewA.watermarks(dev.parity.reconciler.model.Side.SOURCE)).isEmpty();
                    assertThat(viewA.tables()).isEmpty();
                    assertThat(viewB.tables()).isEmpty();
                });
                byte[] keyOnB = null;
                for (long id = 0; keyOnB == null; id++) {
                    byte[] k = new dev.parity.reconciler.canonical.CanonicalWriter().table("public.t").column("id").integer(id).toByteArray();
                    if (dev.parity.api.cluster.Ownership.held(b, SOURCE).contains(chunking.partitionOf(k, 4))) {
                        keyOnB = k;
                    }
                }
                assertThat(viewA.key(keyOnB)).as("asked of B over its API: no state yet").isNull();

                apiB.stop(0); // B's partitions are still B's in the metadata, and nobody can read them
                byte[] k = keyOnB;
                assertThatThrownBy(viewA::tables).isInstanceOf(InvalidStateStoreException.class).hasMessageContaining("127.0.0.1:" + portB);
                assertThatThrownBy(() -> viewA.key(k)).isInstanceOf(InvalidStateStoreException.class);
                assertThatThrownBy(() -> viewA.divergences(null, 10)).isInstanceOf(InvalidStateStoreException.class);
            } finally {
                apiA.stop(0);
                apiB.stop(0);
                ReconcilerStreams.stop(b);
                ReconcilerStreams.stop(a);
            }
        }
    }

    private static ParityConfig clusterConfig(EmbeddedKafka kafka, int port) {
        return ConfigLoader.parse("""
                name: split
                source: {url: "jdbc:postgresql://127.0.0.1/a", user: u}
                target: {url: "jdbc:postgresql://127.0.0.1/b", user: u}
                kafka: {bootstrapServers: "%s"}
                capture: {mode: connect}
                api: {port: %d, token: t0ken, advertise: "127.0.0.1:%d"}
                """.formatted(kafka.bootstrapServers(), port, port), "split", Map.of());
    }

    /** The store endpoint alone, behind the token, as the API serves it. */
    private static com.sun.net.httpserver.HttpServer storeApi(KafkaStreams streams, int port) throws java.io.IOException {
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", port), 0);
        var endpoint = new dev.parity.api.cluster.StoreEndpoint(streams, SOURCE);
        server.createContext("/internal/v1/store", ex -> {
            try (ex) {
                if (!"Bearer t0ken".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                endpoint.handle(ex);
            }
        });
        server.start();
        return server;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
