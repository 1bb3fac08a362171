package dev.parity.api.cli;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.runtime.StateDirGuard;
import dev.parity.api.status.SideStatus;
import dev.parity.api.status.SnapshotStatus;
import dev.parity.api.status.Status;
import java.nio.file.Path;
import java.util.List;
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
        new StateDirGuard(cfg.stateDir(), cfg.stateMinFreeMb()).requireUsable(); // before the log file is made there
        Path log = LogFile.under(cfg.stateDir());
        int code = Parity.supervise(cfg, p -> {
            System.out.println("Parity running; status at " + p.url() + " (Ctrl-C to stop); full log in " + log);
            Thread progress = new Thread(() -> printSnapshotProgress(p), "parity-progress");
            progress.setDaemon(true);
            progress.start();
        });
        return stopped(code, cfg);
    }

    /** The exit code of an instance that stopped for good, said on the console when it stopped by itself. */
    private static int stopped(int code, ParityConfig cfg) {
        if (code == 3) {
            System.err.println("parity: this instance lost the capture lease; stopping so that no two instances capture a side."
                    + " Start it again to rejoin as a follower.");
        } else if (code == 5) {
            System.err.println("parity: stopped because state.dir " + cfg.stateDir().toAbsolutePath() + " could no longer be written"
                    + " or ran short of space (state.minFreeMb " + cfg.stateMinFreeMb() + "); its state was saved: free space"
                    + " and start again, it carries on from there.");
        }
        return code;
    }

    /**
     * While a side reads its baseline: on a terminal one line redrawn each second, a bar per side with its ETA; otherwise
     * (a pipe, a log file) a plain line every 5 s.
     */
    static void printSnapshotProgress(Parity p) {
        boolean tty = System.console() != null;
        boolean drawn = false;
        try {
            while (!p.stopping()) {
                Thread.sleep(tty ? 1_000 : 5_000);
                Status status = p.status().status();
                String line = tty ? progressBars(status) : progressLine(status);
                if (line != null) {
                    System.out.print(tty ? "\r" + line + "\u001b[K" : line + "\n");
                    System.out.flush();
                    drawn = true;
                } else if (drawn && tty) {
                    System.out.println(); // the bar's line stays, the next output starts below it
                    drawn = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // status not available (stopping): no more progress lines
        }
    }

    /** The sides still reading their baseline, with what is known of their progress; empty when none is. */
    private static List<Map.Entry<String, SnapshotStatus>> reading(Status status) {
        List<Map.Entry<String, SnapshotStatus>> out = new java.util.ArrayList<>();
        for (Map.Entry<String, SideStatus> e : List.of(Map.entry("source", status.sides().source()), Map.entry("target", status.sides().target()))) {
            SnapshotStatus snap = e.getValue().snapshot();
            if (snap != null && snap.running()) { // not: no snapshot (resumed), or finished, by the connector or by Parity's own load
                out.add(Map.entry(e.getKey(), snap));
            }
        }
        return out;
    }

    /** The progress line for a status; null when no side is snapshotting. Without an estimate (none known), rows only. */
    static String progressLine(Status status) {
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, SnapshotStatus> e : reading(status)) {
            SnapshotStatus snap = e.getValue();
            line.append(String.format("%s%s %,d", e.getKey(), "PARITY".equals(snap.method()) ? " (Parity's load)" : "", snap.rowsDone()));
            line.append(snap.rowsEstimated() > 0 ? String.format(" of ~%,d rows (%s%%%s)  ", snap.rowsEstimated(),
                    snap.percent() == null ? "?" : snap.percent(), snap.etaSeconds() == null ? "" : ", ETA " + snap.etaSeconds() + " s") : " rows  ");
        }
        return line.length() == 0 ? null : "snapshot: " + line.toString().trim();
    }

    /** The terminal's form: a 20-character bar per side, then its count and ETA; null when no side is snapshotting. */
    static String progressBars(Status status) {
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, SnapshotStatus> e : reading(status)) {
            SnapshotStatus snap = e.getValue();
            double pct = snap.percent() == null ? 0 : Math.min(100, snap.percent());
            int filled = (int) Math.round(pct / 5);
            line.append(String.format("%s [%s%s] %s  ", e.getKey(), "#".repeat(filled), "-".repeat(20 - filled),
                    snap.rowsEstimated() > 0 ? String.format("%.0f%% %,d of ~%,d rows%s", pct, snap.rowsDone(), snap.rowsEstimated(),
                            snap.etaSeconds() == null ? "" : String.format(", ETA %.0f s", snap.etaSeconds()))
                            : String.format("%,d rows", snap.rowsDone())));
        }
        return line.length() == 0 ? null : "snapshot: " + line.toString().trim();
    }
}
