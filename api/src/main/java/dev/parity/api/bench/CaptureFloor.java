package dev.parity.api.bench;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.CaptureEngine;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.debezium.TableMapping;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.Heartbeats;
import dev.parity.ingest.kafka.CaptureSink;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SidePlan;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The capture floor (BENCHMARKS.md, "Reconciling against capturing"): what capturing alone costs, to set Parity's CPU
 * per captured change against. Both sides' Debezium engines run exactly as {@code parity run} configures them for
 * {@code -c FILE} (same connectors, settings, tables and Parity's record mapping, heartbeats written as usual) but
 * deliver into {@link CaptureSink#DISCARD}: no Kafka, no reconciler, no sweep, no API. Streams without a snapshot
 * (the databases are idle or only changing when it starts). Prints {@code captured <source> <target> <streaming>}
 * twice a second on standard output, for the bench that runs it as a child process; stops when that process is killed.
 * {@code parity cleanup -c FILE} removes what it created (the slots and publications, the heartbeat table).
 */
public final class CaptureFloor {
    private CaptureFloor() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("-c")) {
            System.err.println("usage: CaptureFloor -c FILE");
            System.exit(2);
        }
        ParityConfig config = ConfigLoader.load(Path.of(args[1]), System.getenv());
        Clock clock = Clock.systemUTC();
        java.nio.file.Files.createDirectories(config.ingest().captureDir());
        SidePlan plan = SidePlan.of(config.ingest(), p -> System.err.println("warning: " + p), p -> System.err.println("warning: " + p));
        Databases databases = plan.databases();
        List<PlannedTable> verified = plan.verified();
        databases.compareColumns(verified);
        Map<Side, List<String>> captureLists = plan.readyCapture();
        List<AutoCloseable> running = new ArrayList<>();
        Map<Side, CaptureStatus> status = new java.util.EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            status.put(side, new CaptureStatus(side));
            TableMapping captured = new TableMapping(verified.stream().collect(Collectors.toMap(t -> t.name(side), PlannedTable::mappedId)),
                    verified.stream().filter(PlannedTable::byContent).map(t -> t.name(side)).collect(Collectors.toSet()));
            CaptureEngine engine = databases.of(side).startCapture(CaptureSink.DISCARD, captured, captureLists.get(side), status.get(side), clock,
                    () -> { }, Map.of("snapshot.mode", "no_data"));
            running.add(engine);
        }
        if (config.heartbeat().enabled()) {
            running.add(new Heartbeats(new HeartbeatWriter(databases.source().endpoint(), databases.source().adapter()::beat,
                    databases.source().heartbeatTable(), clock), clock).start(config.heartbeat().interval()));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
        }));
        while (true) {
            boolean streaming = status.values().stream().allMatch(s -> s.streamingSince() != null);
            System.out.printf("captured %d %d %s%n", status.get(Side.SOURCE).events(), status.get(Side.TARGET).events(), streaming);
            System.out.flush();
            Thread.sleep(500);
        }
    }
}
