package dev.parity.api;

import static org.awaitility.Awaitility.await;

import dev.parity.api.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * A Kafka cluster outside the JVM under test, as users run one: a Testcontainers Kafka where Docker runs,
 * otherwise a real KRaft broker in a child JVM (this project's own broker, {@link EmbeddedKafka}, started by
 * {@link Child}). The same tests run on either. The child can be killed and restarted on the same ports and
 * log, as a broker restart is.
 */
final class ExternalKafka implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExternalKafka.class);

    private final AutoCloseable container;
    private final String containerBootstrap;
    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private Process child;

    private ExternalKafka(AutoCloseable container, String containerBootstrap, Path logDir, int brokerPort, int controllerPort) {
        this.container = container;
        this.containerBootstrap = containerBootstrap;
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    static ExternalKafka start(Path dir) throws Exception {
        if (dockerAvailable()) {
            var kafka = new org.testcontainers.kafka.KafkaContainer("apache/kafka:4.1.1");
            kafka.start();
            LOG.info("external Kafka: a container at {}", kafka.getBootstrapServers());
            return new ExternalKafka(kafka, kafka.getBootstrapServers(), null, -1, -1);
        }
        ExternalKafka k = new ExternalKafka(null, null, dir.resolve("kafka"), Ports.stable(), Ports.stable()); // restarted on them
        k.launch();
        return k;
    }

    private static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    String bootstrapServers() {
        return containerBootstrap != null ? containerBootstrap : "127.0.0.1:" + brokerPort;
    }

    private void launch() throws Exception {
        Files.createDirectories(logDir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), logDir.toString(),
                Integer.toString(brokerPort), Integer.toString(controllerPort)));
        child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logDir.resolveSibling("broker.log").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers(), "request.timeout.ms", 2000,
                    "default.api.timeout.ms", 3000))) {
                return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
            }
        });
        LOG.info("external Kafka: a child JVM (pid {}) at {}", child.pid(), bootstrapServers());
    }

    /** Whether {@link #kill} and {@link #restart} apply (the child-JVM broker). */
    boolean restartable() {
        return container == null;
    }

    /** Kills the child broker with SIGKILL (a crash), leaving its log as it was. */
    void kill() throws InterruptedException {
        if (child == null) {
            throw new UnsupportedOperationException("only the child-JVM broker is killed by these tests");
        }
        child.destroyForcibly();
        child.waitFor();
    }

    /** Starts the child broker again on the same ports and log. */
    void restart() throws Exception {
        launch();
    }

    @Override
    public void close() throws Exception {
        if (container != null) {
            container.close();
            return;
        }
        if (child != null && child.isAlive()) {
            child.destroy();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
    }

    /** The child JVM: one broker until the process is stopped. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
            Thread.currentThread().join();
        }
    }
}
