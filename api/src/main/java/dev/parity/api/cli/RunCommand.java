package dev.parity.api.cli;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.status.SideStatus;
import dev.parity.api.status.SnapshotStatus;
import dev.parity.api.status.Status;
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
        Path log = LogFile.under(cfg.stateDir());
        try (Parity p = Parity.start(cfg)) {
            System.out.println("Parity running; status at " + p.url() + " (Ctrl-C to stop); full log in " + log);
            Thread progress = new Thread(() -> printSnapshotProgress(p), "parity-progress");
            progress.setDaemon(true);
            progress.start();
            p.awaitShutdown();
            if (p.exitCode() == 3) {
                System.err.println("parity: this instance lost the capture lease; stopping so that no two instances capture a side."
                        + " Start it again to rejoin as a follower.");
            }
            return p.exitCode();
        }
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

    /** The progress line for a status; null when no side is snapshotting. */
    static String progressLine(Status status) {
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, SideStatus> e : Map.of("source", status.sides().source(), "target", status.sides().target()).entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            SnapshotStatus snap = e.getValue().snapshot();
            if (snap == null || !snap.running()) {
                continue; // no snapshot (resumed), or finished: by the connector or by Parity's own load
            }
            line.append(String.format("%s%s %,d of ~%,d rows (%s%%%s)  ", e.getKey(), "PARITY".equals(snap.method()) ? " (Parity's load)" : "",
                    snap.rowsDone(), snap.rowsEstimated(), snap.percent() == null ? "?" : snap.percent(),
                    snap.etaSeconds() == null ? "" : ", ETA " + snap.etaSeconds() + " s"));
        }
        return line.length() == 0 ? null : "snapshot: " + line.toString().trim();
    }
}
