package dev.parity.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "diff", description = "List the keys of a table that differ between source and target. Exit 0 none, 1 some.")
final class DiffCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--table", required = true, description = "Table, as schema.table")
    String table;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many keys (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "Print JSON: the summary and the keys, as the API gives them")
    boolean json;

    @Option(names = "--token", defaultValue = "${env:PARITY_API_TOKEN}", description = "API token, to see row values (default: $PARITY_API_TOKEN)")
    String token;

    @Override
    public Integer call() throws Exception {
        String t = URLEncoder.encode(table, StandardCharsets.UTF_8);
        JsonNode summary = client.get("/api/v1/divergences/summary?table=" + t);
        JsonNode d = client.get("/api/v1/divergences?table=" + t + "&limit=" + limit, token);
        JsonNode list = d.path("divergences");
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode both = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            both.set("summary", summary);
            both.set("divergences", list);
            System.out.println(ClientOptions.pretty(both));
            return list.isEmpty() ? 0 : 1;
        }
        // The groups first: "14 keys differ only in paid_at, each by exactly +3600 s" before any key.
        for (JsonNode g : summary.path("groups")) {
            System.out.println(g.path("sentence").asText());
            for (JsonNode e : g.path("evidence")) {
                System.out.println("    evidence: " + e.asText());
            }
            System.out.println("    e.g. " + g.path("sampleKeys").toString());
        }
        for (JsonNode s : summary.path("tables")) {
            if (s.path("notReadYet").asLong() > 0) {
                System.out.println(s.path("notReadYet").asLong() + " divergent key(s) not read yet" + (s.path("problem").isTextual()
                        ? " (" + s.path("problem").asText() + ")" : ""));
            }
        }
        if (summary.path("groups").size() > 0) {
            System.out.println();
        }
        boolean colour = TextTable.colourWanted();
        TextTable keys = new TextTable("STATE", "KIND", "ORIGIN", "KEY", "COLUMNS", "FIRST SEEN");
        StringBuilder values = new StringBuilder();
        for (JsonNode x : list) {
            java.util.List<String> columns = new java.util.ArrayList<>();
            for (JsonNode c : x.path("columns")) {
                columns.add(c.path("name").asText() + " (" + c.path("cause").asText() + ")");
                if (c.has("source") || c.has("target") || c.path("detail").isTextual()) {
                    values.append(String.format("  %s %s: %s%s%n", x.path("key"), c.path("name").asText(),
                            c.path("detail").isTextual() ? c.path("detail").asText() : "",
                            c.has("source") || c.has("target") ? "  source " + c.path("source") + " → target " + c.path("target") : ""));
                }
            }
            keys.row(x.path("state").asText(), x.path("kind").asText(), x.path("origin").asText(""), x.path("key").toString(),
                    columns.isEmpty() ? "-" : String.join(", ", columns), x.path("firstSeen").asText(""));
        }
        if (!list.isEmpty()) {
            System.out.print(keys.render(colour));
            if (values.length() > 0) {
                System.out.print("\n" + values);
            }
        }
        System.out.println(list.size() + " key(s) differ in " + table);
        return list.isEmpty() ? 0 : 1;
    }
}
