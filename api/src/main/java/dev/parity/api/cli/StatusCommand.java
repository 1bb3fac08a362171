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
            boolean colour = TextTable.colourWanted();
            System.out.print(new TextTable("STATE", "REPLICATION LAG").row(s.path("state").asText(),
                    s.path("replicationLagSeconds").isNumber() ? s.path("replicationLagSeconds").asText() + " s" : "–").render(colour));
            TextTable sides = new TextTable("SIDE", "PHASE", "CAPTURE LAG", "EVENTS");
            s.path("sides").fields().forEachRemaining(e -> sides.row(e.getKey(), e.getValue().path("phase").asText(),
                    e.getValue().path("captureLagSeconds").isNumber() ? e.getValue().path("captureLagSeconds").asText() + " s" : "–",
                    e.getValue().path("events").asText("–")));
            System.out.print("\n" + sides.render(colour));
            TextTable tables = new TextTable("TABLE", "STATE", "SOURCE ROWS", "TARGET ROWS", "CHUNKS IN SYNC", "PENDING", "DIVERGENT");
            for (JsonNode t : s.path("tables")) {
                tables.row(t.path("table").asText(), t.path("state").asText(), t.path("sourceRows").asText("-"), t.path("targetRows").asText("-"),
                        t.has("chunks") ? t.path("chunksInSync").asText() + "/" + t.path("chunks").asText() : "-",
                        t.path("pendingKeys").asText("-"), t.path("divergentKeys").asText("-"));
            }
            System.out.print("\n" + tables.render(colour));
            for (JsonNode r : s.path("reasons")) {
                System.out.println("! " + r.asText());
            }
        }
        return "IN_SYNC".equals(s.path("state").asText()) ? 0 : 1;
    }
}
