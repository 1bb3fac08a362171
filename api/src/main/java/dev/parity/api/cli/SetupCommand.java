package dev.parity.api.cli;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.setup.Setup;
import dev.parity.ingest.setup.SetupStep;
import dev.parity.reconciler.model.Side;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parity setup}: what Parity needs on each server and what is missing, as SQL to review (README, "Setting up:
 * parity setup"); {@code --apply} runs what only creates Parity's own objects. Exit 0 when nothing is missing.
 */
@Command(name = "setup", description = "Inspect both servers and print, per side, what Parity needs and what is missing, as SQL to review;"
        + " --apply runs the statements that only create Parity's own objects. Exit 0 when nothing is missing, 1 otherwise.")
final class SetupCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
    Path config;

    @Option(names = "--apply", description = "run the statements marked 'parity setup --apply runs this' and report each")
    boolean apply;

    @Option(names = "--apply-all", description = "what --apply runs, then the statements marked 'yours to run' (your publication,"
            + " subscription, tables' replica identity, settings a running server takes), each printed before it runs; never what needs a"
            + " restart, nor the least-privilege user")
    boolean applyAll;

    @Option(names = "--side", defaultValue = "both", description = "source, target or both (default: ${DEFAULT-VALUE})")
    String side;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Side> sides = switch (side) {
            case "source" -> List.of(Side.SOURCE);
            case "target" -> List.of(Side.TARGET);
            case "both" -> List.of(Side.SOURCE, Side.TARGET);
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--side: " + side + ": must be source, target or both");
        };
        ParityConfig cfg = ConfigLoader.load(config, System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        Map<Side, List<SetupStep>> steps = Setup.inspect(cfg.ingest());
        if (apply || applyAll) {
            // Parity's own objects first on both sides (the target's heartbeat table must exist before a subscription
            // refresh can pick it up), then, when asked by name, the user's publication (source) and subscription (target).
            runAll(cfg, sides, steps, SetupStep.Apply.SAFE, out);
            if (applyAll) {
                runAll(cfg, sides, steps, SetupStep.Apply.YOURS, out);
            }
            out.println();
            steps = Setup.inspect(cfg.ingest()); // as it stands now
        }
        long missing = 0;
        for (Side s : sides) {
            out.println(s.label() + " (" + cfg.ingest().database(s).url() + "):");
            for (SetupStep step : steps.get(s)) {
                missing += step.missing() ? 1 : 0;
                print(out, step);
            }
            out.println();
        }
        out.println(missing == 0 ? "nothing missing: parity run -c " + config
                : missing + " missing. " + (apply || applyAll ? "What is left is yours to run (or needs a restart)." : "parity setup -c " + config
                + " --apply runs what is marked so; the rest is yours to run (--apply-all runs it too, restarts aside)."));
        out.flush();
        return missing == 0 ? 0 : 1;
    }

    private static void runAll(ParityConfig cfg, List<Side> sides, Map<Side, List<SetupStep>> steps, SetupStep.Apply which, PrintWriter out) {
        for (Side s : sides) {
            for (SetupStep step : steps.get(s)) {
                if (step.missing() && step.apply() == which) {
                    if (which == SetupStep.Apply.YOURS) { // say what is about to change on the user's side before it does
                        out.println("changing yours on the " + s.label() + ": " + step.what());
                        step.sql().forEach(sql -> out.println("  " + sql + ";"));
                        out.flush();
                    }
                    String error = Setup.apply(cfg.ingest(), step);
                    out.println((error == null ? "applied on the " : "FAILED on the ") + s.label() + ": " + step.what()
                            + (error == null ? "" : " (" + error + ")"));
                }
            }
        }
    }

    private static void print(PrintWriter out, SetupStep step) {
        out.printf("  %-8s %s%n", step.state(), step.what());
        if (step.state() == SetupStep.State.OK) {
            return;
        }
        if (step.note() != null) {
            out.println("           " + step.note());
        }
        if (!step.sql().isEmpty()) {
            out.println("           " + switch (step.apply()) {
                case SAFE -> "(parity setup --apply runs this)";
                case YOURS -> "(yours to run, after review)";
                case RESTART -> "(takes effect after a restart)";
                case NONE -> "";
            });
            step.sql().forEach(sql -> out.println("             " + sql + (sql.startsWith("--") ? "" : ";")));
        }
    }
}
