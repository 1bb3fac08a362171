package dev.parity.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/docker-compose.yml} runs as it says: every file it mounts exists, the replica's replication is set up
 * by a step Parity waits for, Prometheus scrapes Parity and loads the rules it mounts, Grafana is provisioned with the
 * dashboard; and {@code docker compose config} accepts it where the compose client exists (it is skipped, saying so,
 * where it does not: this machine has the docker client without its compose plugin).
 */
class DockerComposeTest {
    private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void shouldMountOnlyFilesThatExistAndWireTheStackTogether() throws Exception {
        JsonNode services = YAML.readTree(DOCKER.resolve("docker-compose.yml").toFile()).path("services");
        assertThat(services.fieldNames()).toIterable()
                .contains("mysql-source", "mysql-target", "replication-init", "kafka", "parity", "prometheus", "grafana");
        List<String> missing = new ArrayList<>();
        services.fields().forEachRemaining(s -> s.getValue().path("volumes").forEach(v -> {
            String host = v.asText().split(":")[0];
            if (host.startsWith(".") && !Files.exists(DOCKER.resolve(host).normalize())) {
                missing.add(s.getKey() + ": " + host);
            }
        }));
        assertThat(missing).as("mounted files that do not exist").isEmpty();
        assertThat(services.path("parity").path("depends_on").path("replication-init").path("condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(services.path("replication-init").path("command").toString()).contains("CHANGE REPLICATION SOURCE TO", "START REPLICA");

        JsonNode prometheus = YAML.readTree(DOCKER.resolve("prometheus/prometheus.yml").toFile());
        assertThat(prometheus.path("scrape_configs").get(0).path("job_name").asText()).isEqualTo("parity"); // the rules' up{job="parity"}
        assertThat(prometheus.path("scrape_configs").get(0).path("static_configs").get(0).path("targets").get(0).asText()).isEqualTo("parity:8080");
        assertThat(services.path("prometheus").path("volumes").toString()).contains("./prometheus/alerts.yml:" + prometheus.path("rule_files").get(0).asText());
        JsonNode provider = YAML.readTree(DOCKER.resolve("grafana/provisioning/dashboards/parity.yml").toFile());
        assertThat(services.path("grafana").path("volumes").toString())
                .contains("./grafana/parity.json:" + provider.path("providers").get(0).path("options").path("path").asText() + "/parity.json");
    }

    @Test
    void shouldBeAcceptedByDockerCompose() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(run("docker", "compose", "version") == 0,
                "no docker compose client here (the docker CLI without its compose plugin, or no docker): `docker compose config` is skipped");
        assertThat(run("docker", "compose", "-f", DOCKER.resolve("docker-compose.yml").toString(), "config", "-q")).isZero();
    }

    private static int run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (java.io.IOException e) {
            return -1; // not installed
        }
    }
}
