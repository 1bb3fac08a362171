package dev.parity.api.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the benches' helper commands (load generators, {@code taskset}) and reads what they print. */
final class BenchProcess {
    private BenchProcess() {
    }

    /** Runs {@code command} to its end and returns its output (stderr included); throws if it fails. */
    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = read(p);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Everything the process prints until it closes its output; empty if it cannot be read. */
    static String read(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
