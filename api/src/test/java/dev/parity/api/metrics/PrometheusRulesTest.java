package dev.parity.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parity.api.status.SideStatus;
import dev.parity.api.status.SnapshotStatus;
import dev.parity.api.status.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus rules shipped in {@code docker/prometheus} (README, "Metrics"): valid for promtool, each
 * alert firing on its own test series and only then, and every {@code parity_*} metric they (or a Grafana dashboard in
 * {@code docker/grafana}) name is one {@code /metrics} serves. promtool is Debian's {@code prometheus} package,
 * installed by {@code .ci/run}; where it is missing the promtool tests are skipped, saying so.
 */
class PrometheusRulesTest {
    private static final Path DOCKER = Path.of("..", "docker").toAbsolutePath().normalize();

    @Test
    void shouldPassPromtoolsCheckAndItsUnitTests() throws Exception {
        Path promtool = Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(promtool != null, "promtool is not on the PATH (Debian: apt-get install prometheus): the rule tests are skipped");
        assertThat(run(promtool.toString(), "check", "rules", "alerts.yml")).contains("SUCCESS: 7 rules found");
        assertThat(run(promtool.toString(), "test", "rules", "alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void shouldServeEveryMetricTheRulesAndDashboardsName() throws Exception {
        Set<String> named = new TreeSet<>();
        List<Path> files = new ArrayList<>(List.of(DOCKER.resolve("prometheus/alerts.yml")));
        if (Files.isDirectory(DOCKER.resolve("grafana"))) {
            try (Stream<Path> s = Files.walk(DOCKER.resolve("grafana"))) {
                s.filter(p -> p.toString().endsWith(".json")).forEach(files::add);
            }
        }
        for (Path f : files) {
            Matcher m = Pattern.compile("\\bparity_[a-z_]+").matcher(Files.readString(f));
            while (m.find()) {
                named.add(m.group());
            }
        }
        assertThat(named).contains("parity_keys", "parity_stale", "parity_readiness_ready");
        SideStatus side = new SideStatus("STREAMING", null, 0.2, 10, null, new SnapshotStatus("PARITY", true, "loading", null, 5, 10, 50.0, 3.0, List.of()));
        Status status = new Status("IN_SYNC", 0.5, "HEARTBEAT_ORDER", "PARITY", 0, null, null, new Status.Sides(side, side), List.of(), Map.of(),
                List.of(), null, null, List.of());
        String scraped = new ParityMetrics(List.of("public.orders"), () -> null).scrape(status);
        Set<String> served = new TreeSet<>();
        for (String line : scraped.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                served.add(line.replaceAll("[{ ].*", ""));
            }
        }
        assertThat(served).containsAll(named);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(DOCKER.resolve("prometheus").toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
