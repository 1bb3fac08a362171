package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code parity demo --engine mysql|mariadb} as a user starts it (README, "Quick start"), in a child JVM: its two
 * servers replicate, Parity reaches IN_SYNC, and the demo's three target-only writes (made once it is IN_SYNC) come out
 * DIVERGENT by key. (The
 * PostgreSQL demo's tables, workload and drift are DashboardBrowserIT's.)
 */
class DemoIT {
    @ParameterizedTest
    @ValueSource(strings = {"mysql", "mariadb"})
    void shouldFindTheDemosDriftOnABinlogPair(String engine) throws Exception {
        Path log = Files.createTempFile("parity-demo-" + engine, ".log");
        int port = ParityProcess.freePort();
        try (ParityProcess demo = ParityProcess.command(log, port, "", "512m", "demo", "--engine", engine, "--port", String.valueOf(port),
                "--drift-after", "5")) {
            try {
                // The demo writes its drift only once Parity has said IN_SYNC: the line says both happened.
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat(Files.readString(log)).contains("injected drift on the target"));
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                        assertThat(demo.allDivergent()).containsExactlyInAnyOrder("shop.customers MISMATCH 42",
                                "shop.customers EXTRA_ON_TARGET 999999", "shop.orders MISSING_ON_TARGET 4242"));
                assertThat(Files.readString(log)).contains("starting two " + (engine.equals("mysql") ? "MySQL" : "MariaDB") + " servers",
                        "injected drift on the target").doesNotContain("Enabling GTID"); // the binlog client's INFO stays off the console
            } catch (AssertionError | Exception e) {
                demo.printLog();
                throw e;
            }
        }
    }
}
