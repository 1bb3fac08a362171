package dev.parity.api.cli;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Capture both databases, reconcile continuously and serve status over HTTP until interrupted.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
    Path config;

    @Override
    public Integer call() throws Exception {
        ParityConfig cfg = ConfigLoader.load(config, System.getenv());
        try (Parity p = Parity.start(cfg)) {
            System.out.println("Parity running; status at " + p.url() + " (Ctrl-C to stop)");
            p.awaitShutdown();
        }
        return 0;
    }
}
