package dev.parity.api.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (broker and controller in one process) with its log under the
 * state dir, for when the config names no Kafka cluster. Its data survives restarts: the directory
 * is formatted once and reused, so topics, offsets and changelogs persist like on a real cluster.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    public static EmbeddedKafka start(Path logDir) {
        try {
            return start(logDir, freePort(), freePort());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for the embedded Kafka broker", e);
        }
    }

    /** The broker on given ports: a restart on the same ports and log is the same broker to its clients. */
    public static EmbeddedKafka start(Path logDir, int brokerPort, int controllerPort) {
        try {
            Files.createDirectories(logDir);
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", logDir.toAbsolutePath().toString());
            // One node: every internal topic has one replica.
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "4");
            p.put("default.replication.factor", "1");
            p.put("min.insync.replicas", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("auto.create.topics.enable", "false");
            p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            // Segments below a topic's start (side-topic records the reconciler has committed, purged: README, "Disk")
            // are deleted at this check; Kafka's default, 5 minutes, would keep five minutes of changes on disk.
            p.put("log.retention.check.interval.ms", "30000");
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                new Formatter().setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                        .setNodeId(1).setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .setHasDynamicQuorum(false)
                        // Transactions v2 (KIP-890) rejected Kafka Streams' exactly-once appends on a fresh
                        // 4.1.1 broker with OutOfOrderSequenceException "Expected sequence 0 ... with no
                        // existing state" (KAFKA-18202, KAFKA-19880); the v1 protocol is unaffected.
                        .setFeatureLevel("transaction.version", (short) 1)
                        .run();
            }
            haltSaying(logDir);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + brokerPort;
            LOG.info("embedded Kafka broker started at {} with its log in {}", bootstrap, logDir);
            return new EmbeddedKafka(server, bootstrap);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka log dir " + logDir, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker in " + logDir, e);
        }
    }

    /** Exit code of a process whose embedded broker halted it: its log could not be written (README, "When things fail"). */
    public static final int HALTED = 5;

    /**
     * The broker halts the process when its log directory fails (a disk full or turned read-only under it), with no
     * word on the console; this says why first, then halts as it would. Kafka recovers its log on the next start.
     */
    private static void haltSaying(Path logDir) {
        Exit.setHaltProcedure((code, message) -> {
            String why = "parity: the embedded Kafka broker stopped the process (" + (message == null ? "exit code " + code : message)
                    + "); its log is in " + logDir.toAbsolutePath() + ": if that disk is full or read-only, free it and start Parity"
                    + " again, the broker recovers its log and Parity carries on";
            LOG.error(why);
            System.err.println(why);
            System.err.flush();
            Runtime.getRuntime().halt(HALTED);
        });
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("embedded Kafka broker stopped");
    }
}
