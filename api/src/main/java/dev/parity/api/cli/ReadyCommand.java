package dev.parity.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ready", description = "Is it safe to flip now? Writes a fence, waits for it through both sides, checks everything."
        + " Exit 0 READY, 1 NOT READY, 2 could not decide.")
final class ReadyCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--timeout", defaultValue = "60s", description = "How long to wait for the fence (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--max-lag", defaultValue = "10s", description = "Largest acceptable fence round trip (default: ${DEFAULT-VALUE})")
    String maxLag;

    @Option(names = "--token", defaultValue = "${env:PARITY_API_TOKEN}", description = "API token (default: $PARITY_API_TOKEN)")
    String token;

    @Option(names = "--json", description = "Print the full report")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Duration wait = dev.parity.api.config.Durations.parse(timeout);
        if (wait == null) {
            System.err.println("parity: --timeout: " + timeout + ": must be a duration such as 30s or 2m");
            return ParityCli.ERROR;
        }
        ClientOptions.Response r = client.post("/api/v1/readiness?timeout=" + timeout + "&maxLag=" + maxLag, token, wait.plusSeconds(60));
        JsonNode report = r.body();
        if (r.status() == 401 || r.status() == 403 || !report.has("checks")) {
            System.err.println("parity: " + report.path("error").asText("unexpected answer " + r.status()));
            return ParityCli.ERROR;
        }
        if (json) {
            System.out.println(ClientOptions.pretty(report));
        } else {
            for (JsonNode c : report.path("checks")) {
                String mark = switch (c.path("status").asText()) {
                    case "PASS" -> "[x]";
                    case "FAIL" -> "[ ]";
                    default -> "[?]";
                };
                System.out.println(mark + " " + c.path("name").asText() + ": " + c.path("detail").asText());
            }
            JsonNode fence = report.path("fence");
            System.out.println((report.path("ready").asBoolean() ? "READY" : "NOT READY") + " (fence seq " + fence.path("seq").asText("-")
                    + ", lag " + fence.path("lagSeconds").asText("-") + " s)");
        }
        if (!report.path("decided").asBoolean()) {
            return ParityCli.ERROR;
        }
        return report.path("ready").asBoolean() ? 0 : 1;
    }
}
