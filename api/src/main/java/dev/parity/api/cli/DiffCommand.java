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

    @Option(names = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode d = client.get("/api/v1/divergences?table=" + URLEncoder.encode(table, StandardCharsets.UTF_8) + "&limit=" + limit);
        JsonNode list = d.path("divergences");
        if (json) {
            System.out.println(ClientOptions.pretty(d));
        } else {
            for (JsonNode x : list) {
                System.out.printf("%-10s %-18s chunk %-5s %s  first seen %s%n", x.path("state").asText(), x.path("kind").asText(),
                        x.path("chunk").asText(), x.path("key").toString(), x.path("firstSeen").asText());
            }
            System.out.println(list.size() + " key(s) differ in " + table);
        }
        return list.isEmpty() ? 0 : 1;
    }
}
