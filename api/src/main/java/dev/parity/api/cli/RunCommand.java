package dev.parity.api.cli;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import java.nio.file.Path;
import java.util.Map;
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
            Thread progress = new Thread(() -> printSnapshotProgress(p), "parity-progress");
            progress.setDaemon(true);
            progress.start();
            p.awaitShutdown();
        }
        return 0;
    }

    /** Every 5 s while a side snapshots: rows done of the estimate and the ETA, per side. */
    static void printSnapshotProgress(Parity p) {
        try {
            while (true) {
                Thread.sleep(5_000);
                String line = progressLine(p.status().status());
                if (line != null) {
                    System.out.println(line);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // status not available (stopping): no more progress lines
        }
    }

    /** The progress line for a status document; null when no side is snapshotting. */
    @SuppressWarnings("unchecked")
    static String progressLine(Map<String, Object> status) {
        Map<String, Object> sides = (Map<String, Object>) status.get("sides");
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Object> e : sides.entrySet()) {
            Map<String, Object> side = (Map<String, Object>) e.getValue();
            if (!(side.get("snapshot") instanceof Map<?, ?> snap) || !Boolean.TRUE.equals(snap.get("running"))) {
                continue; // no snapshot (resumed), or finished: by the connector or by Parity's own load
            }
            line.append(String.format("%s%s %,d of ~%,d rows (%s%%%s)  ", e.getKey(), "PARITY".equals(snap.get("method")) ? " (Parity's load)" : "",
                    snap.get("rowsDone"), snap.get("rowsEstimated"), snap.get("percent") == null ? "?" : snap.get("percent"),
                    snap.get("etaSeconds") == null ? "" : ", ETA " + snap.get("etaSeconds") + " s"));
        }
        return line.length() == 0 ? null : "snapshot: " + line.toString().trim();
    }
}
