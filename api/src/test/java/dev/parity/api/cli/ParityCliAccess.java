package dev.parity.api.cli;

/** Runs the real command line in-process, as the launcher would, and returns its exit code. */
public final class ParityCliAccess {
    private ParityCliAccess() {
    }

    public static int run(String... args) {
        return ParityCli.commandLine().execute(args);
    }
}
