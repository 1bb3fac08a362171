package dev.parity.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.api.status.SideStatus;
import dev.parity.api.status.SnapshotStatus;
import dev.parity.api.status.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line {@code parity run} prints while a baseline is being read. */
class RunCommandTest {
    private static Status status(SnapshotStatus source, SnapshotStatus target) {
        return new Status("SNAPSHOTTING", null, "HEARTBEAT_ORDER", "PARITY", 0, null, null,
                new Status.Sides(new SideStatus("STREAMING", null, null, 0, null, source), new SideStatus("STREAMING", null, null, 0, null, target)),
                List.of(), Map.of(), List.of(), null, null, List.of());
    }

    @Test
    void shouldPrintTheLoadProgressOfEverySideStillReading() {
        SnapshotStatus source = new SnapshotStatus("PARITY", true, "loading", null, 250_000L, 1_000_000L, 25.0, 6.5, List.of());
        SnapshotStatus target = new SnapshotStatus("PARITY", false, "done", null, 1_000_000L, 1_000_000L, 100.0, null, List.of());
        assertThat(RunCommand.progressLine(status(source, target)))
                .isEqualTo("snapshot: source (Parity's load) 250,000 of ~1,000,000 rows (25.0%, ETA 6.5 s)");
    }

    @Test
    void shouldPrintNothingOnceNoSideIsReading() {
        SnapshotStatus target = new SnapshotStatus("DEBEZIUM", false, null, null, 10L, 0, null, null, List.of());
        assertThat(RunCommand.progressLine(status(null, target))).isNull();
    }

    @Test
    void shouldDrawABarPerReadingSideOnATerminal() {
        SnapshotStatus source = new SnapshotStatus("PARITY", true, "loading", null, 250_000L, 1_000_000L, 25.0, 6.5, List.of());
        SnapshotStatus target = new SnapshotStatus("PARITY", true, "loading", null, 500_000L, 1_000_000L, 50.0, 3.2, List.of());
        assertThat(RunCommand.progressBars(status(source, target))).isEqualTo("snapshot: source [#####---------------] 25% 250,000 of"
                + " ~1,000,000 rows, ETA 7 s  target [##########----------] 50% 500,000 of ~1,000,000 rows, ETA 3 s");
    }

    @Test
    void shouldShowRowsOnlyWhereNoEstimateIsKnown() {
        SnapshotStatus source = new SnapshotStatus("CONNECT", true, "reading", null, 1_200L, 0, null, null, List.of());
        assertThat(RunCommand.progressLine(status(source, null))).isEqualTo("snapshot: source 1,200 rows");
        assertThat(RunCommand.progressBars(status(source, null))).isEqualTo("snapshot: source [--------------------] 1,200 rows");
    }
}
