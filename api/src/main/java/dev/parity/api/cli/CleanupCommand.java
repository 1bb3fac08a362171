package dev.parity.api.cli;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.inspect.Cleanup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "cleanup", description = "List, then drop, the slots, publications and heartbeat table Parity created. Stop Parity first.")
final class CleanupCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
    Path config;

    @Option(names = "--dry-run", description = "Only list what would be dropped")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        ParityConfig cfg = ConfigLoader.load(config, System.getenv());
        var found = Cleanup.list(cfg.ingest());
        found.forEach((where, objects) -> {
            out.println(where + ":" + (objects.isEmpty() ? " nothing of Parity's" : ""));
            objects.forEach(o -> out.println("  " + o));
        });
        if (dryRun || found.values().stream().allMatch(java.util.List::isEmpty)) {
            out.flush();
            return 0;
        }
        var left = Cleanup.drop(cfg.ingest());
        left.forEach(out::println);
        out.println((left.isEmpty() ? "dropped." : "dropped the rest.") + " Parity's local state (" + cfg.stateDir() + ") is untouched: delete it to start afresh.");
        out.flush();
        return left.isEmpty() ? 0 : 1;
    }
}
