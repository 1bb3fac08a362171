package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.DemoSchema;
import dev.parity.ingest.local.DemoWorkload;
import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core from npm, both installed by
 * {@code .ci/run} where missing; skipped, saying so, where they are not here) against a live {@code parity demo}-like
 * pair: the page loads with no console error and shows IN_SYNC; after the demo's target-only drift it shows DIVERGENT,
 * and the divergent count of a table, pressed from the keyboard, lists the injected keys and keeps the focus through the
 * next refresh. Screenshots go to
 * {@code target/dashboard-*.png}.
 */
class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Path PLAYWRIGHT = Path.of(System.getenv().getOrDefault("PLAYWRIGHT_CORE_DIR",
            System.getProperty("user.home") + "/.cache/parity-browser/node_modules/playwright-core"));

    @Test
    void shouldShowInSyncThenTheInjectedDriftInABrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no chromium at " + CHROMIUM + " (Debian: apt-get install chromium): browser test skipped");
        assumeTrue(Files.isDirectory(PLAYWRIGHT), "no playwright-core at " + PLAYWRIGHT + " (npm install playwright-core): browser test skipped");
        assumeTrue(run(List.of("node", "--version")).exit() == 0, "no node on the PATH: browser test skipped");
        Path dir = Files.createTempDirectory("parity-browser");
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl(DemoSchema.DDL);
            pg.ddl("ALTER TABLE audit_log REPLICA IDENTITY FULL");
            pg.onSource(DemoSchema.load(500, 3));
            pg.replicate("demo");
            ParityProbe.awaitRows(pg::target, "orders", 1500);
            try (Parity p = Parity.start(ConfigLoader.parse(String.format("""
                    name: browser
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["public.*"]}
                    api: {port: 0}
                    state: {dir: "%s"}
                    """, pg.sourceUrl(), pg.targetUrl(), dir.resolve("state")), "browser", Map.of()))) {
                String url = "http://127.0.0.1:" + p.port() + "/";
                JsonNode clean = check(url, "IN_SYNC", "dashboard-in-sync.png");
                assertThat(clean.path("consoleErrors")).as(clean.toString()).isEmpty();

                DemoWorkload.drift(pg); // the demo's target-only writes: customers 42 updated, orders 4242 deleted, customers 999999 inserted
                JsonNode drifted = check(url, "DIVERGENT", "dashboard-divergent.png", "public.customers", "{\"id\":42}", "{\"id\":999999}");
                assertThat(drifted.path("consoleErrors")).as(drifted.toString()).isEmpty();
                assertThat(drifted.path("keys").asText()).contains("MISMATCH", "EXTRA_ON_TARGET");
                assertThat(drifted.path("focusKept").asBoolean()).as("the refresh keeps the keyboard focus where it was").isTrue();
            }
        }
    }

    private static JsonNode check(String url, String state, String screenshot, String... tableAndKeys) throws Exception {
        Path script = Path.of(DashboardBrowserIT.class.getResource("/browser/dashboard-check.mjs").toURI());
        List<String> cmd = new ArrayList<>(List.of("node", script.toString(), url, state, Path.of("target", screenshot).toAbsolutePath().toString()));
        cmd.addAll(List.of(tableAndKeys));
        Result r = run(cmd);
        assertThat(r.exit()).as(r.output()).isZero();
        String last = r.output().lines().reduce((a, b) -> b).orElse("");
        return new ObjectMapper().readTree(last);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PLAYWRIGHT_CORE_DIR", PLAYWRIGHT.toString());
        pb.environment().put("CHROMIUM", CHROMIUM.toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            return new Result(p.waitFor(3, TimeUnit.MINUTES) ? p.exitValue() : -1, out);
        } catch (java.io.IOException e) {
            return new Result(-1, e.getMessage());
        }
    }
}
