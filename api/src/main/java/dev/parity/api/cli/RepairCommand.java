package dev.parity.api.cli;

import dev.parity.api.app.Parity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "repair", description = "Write SQL that makes the target's divergent rows of a table equal to the source, each statement guarded by"
        + " the target row it was computed from; --via source writes it for the source, whose replication carries it. Parity never runs it."
        + " Exit 0 written, 2 error.")
final class RepairCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--table", required = true, description = "Table, as schema.table")
    String table;

    @Option(names = "--key", description = "Only this key, as JSON (repeatable), such as '{\"id\": 42}'; default: every DIVERGENT key")
    List<String> keys = List.of();

    @Option(names = "--token", defaultValue = "${env:PARITY_API_TOKEN}", description = "API token: the script carries row values (default: $PARITY_API_TOKEN)")
    String token;

    @Option(names = "--out", description = "Write the script to this file instead of standard output")
    Path out;

    @Option(names = "--via", defaultValue = "target", description = "Where the script runs: target (default) or source (same engine,"
            + " native replication: the fix travels through it in order)")
    String via;

    @Override
    public Integer call() throws Exception {
        StringBuilder path = new StringBuilder("/api/v1/repair?table=").append(URLEncoder.encode(table, StandardCharsets.UTF_8));
        for (String k : keys) {
            path.append("&key=").append(URLEncoder.encode(k, StandardCharsets.UTF_8));
        }
        if (!"target".equalsIgnoreCase(via)) {
            path.append("&via=").append(URLEncoder.encode(via, StandardCharsets.UTF_8));
        }
        String sql = client.getText(path.toString(), token);
        if (out == null) {
            System.out.print(sql);
        } else {
            Files.writeString(out, sql);
            System.err.println("repair for " + table + " written to " + out + " (review it, then run it on the "
                    + ("source".equalsIgnoreCase(via) ? "source" : "target") + ")");
        }
        return 0;
    }
}
