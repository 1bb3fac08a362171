package dev.parity.api.cli;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.inspect.Cleanup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cleanup", description = "List, then drop, the slots, publications and heartbeat table Parity created. Stop Parity first.")
final class CleanupCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
    Path config;

    @Option(names = "--dry-run", description = "Only list what would be dropped")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        ParityConfig cfg = ConfigLoader.load(config, System.getenv());
        var found = Cleanup.list(cfg.ingest());
        found.forEach((where, objects) -> {
            System.out.println(where + ":" + (objects.isEmpty() ? " nothing of Parity's" : ""));
            objects.forEach(o -> System.out.println("  " + o));
        });
        if (dryRun || found.values().stream().allMatch(java.util.List::isEmpty)) {
            return 0;
        }
        var left = Cleanup.drop(cfg.ingest());
        left.forEach(System.out::println);
        System.out.println((left.isEmpty() ? "dropped." : "dropped the rest.") + " Parity's local state (" + cfg.stateDir() + ") is untouched: delete it to start afresh.");
        return left.isEmpty() ? 0 : 1;
    }
}
