package dev.parity.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show the running Parity's status. Exit 0 IN_SYNC, 1 otherwise.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--json", description = "Print the full JSON status")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode s = client.get("/api/v1/status");
        if (json) {
            System.out.println(ClientOptions.pretty(s));
        } else {
            System.out.printf("state: %s   replication lag: %s s%n", s.path("state").asText(), s.path("replicationLagSeconds").asText("–"));
            s.path("sides").fields().forEachRemaining(e -> System.out.printf("%-7s %-12s capture lag %s s%n",
                    e.getKey(), e.getValue().path("phase").asText(), e.getValue().path("captureLagSeconds").asText("–")));
            System.out.printf("%-32s %-11s %10s %10s %9s %8s %9s%n", "TABLE", "STATE", "SOURCE", "TARGET", "CHUNKS OK", "PENDING", "DIVERGENT");
            for (JsonNode t : s.path("tables")) {
                System.out.printf("%-32s %-11s %10s %10s %9s %8s %9s%n", t.path("table").asText(), t.path("state").asText(),
                        t.path("sourceRows").asText("-"), t.path("targetRows").asText("-"),
                        t.has("chunks") ? t.path("chunksInSync").asText() + "/" + t.path("chunks").asText() : "-",
                        t.path("pendingKeys").asText("-"), t.path("divergentKeys").asText("-"));
            }
            for (JsonNode r : s.path("reasons")) {
                System.out.println("! " + r.asText());
            }
        }
        return "IN_SYNC".equals(s.path("state").asText()) ? 0 : 1;
    }
}
