package dev.parity.api.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command line in-process, as the launcher would, and returns its exit code. */
public final class ParityCliAccess {
    private ParityCliAccess() {
    }

    public static int run(String... args) {
        return ParityCli.commandLine().execute(args);
    }

    /** Runs the command line with its stdout captured into {@code out}. */
    public static int runCapturingOut(StringWriter out, String... args) {
        return ParityCli.commandLine().setOut(new PrintWriter(out, true)).execute(args);
    }

    /** Runs the command line with its stderr captured into {@code err}. */
    public static int run(StringWriter err, String... args) {
        return ParityCli.commandLine().setErr(new PrintWriter(err, true)).execute(args);
    }

    /** Runs the command line with its stdout and stderr captured. */
    public static int runCapturing(StringWriter out, StringWriter err, String... args) {
        return ParityCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }
}
