package dev.parity.api.cli;

import dev.parity.api.config.ConfigException;
import dev.parity.ingest.jdbc.DatabaseException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code parity} command. Stdout carries results; failures are one line on stderr and an exit code. */
@Command(name = "parity", mixinStandardHelpOptions = true, version = "parity 0.1.0",
        description = "Streaming CDC parity monitor for database cutovers.",
        subcommands = {RunCommand.class, DemoCommand.class, SetupCommand.class, StatusCommand.class, DiffCommand.class, RepairCommand.class, CleanupCommand.class, ConnectConfigCommand.class, SchemaDiffCommand.class, ReadyCommand.class, BenchCommand.class})
public final class ParityCli {
    /** Exit code when Parity could not do what was asked (as opposed to a NOT READY or drift answer). */
    static final int ERROR = 2;

    public static void main(String[] args) {
        // Libraries that log through java.util.logging (the binlog client says "Enabling GTID" at every connect) go to
        // log4j like the rest: the console shows their errors only, parity.log their warnings. Set before any JUL use.
        System.setProperty("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new ParityCli()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean expected = e instanceof ConfigException || e instanceof DatabaseException || e instanceof java.net.ConnectException;
            if (!expected) {
                org.slf4j.LoggerFactory.getLogger(ParityCli.class).error("unexpected failure", e); // the stack, for a bug report
            }
            String message = expected ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            cmd.getErr().println("parity: " + message);
            if (e instanceof DatabaseException && List.of("run", "demo", "connect-config").contains(cmd.getCommandName())) {
                cmd.getErr().println("parity: `parity setup -c FILE` lists what Parity needs on each server, as SQL, and creates what it may with --apply");
            }
            return ERROR;
        });
    }
}
