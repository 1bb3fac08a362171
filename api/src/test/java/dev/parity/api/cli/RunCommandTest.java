package dev.parity.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line {@code parity run} prints while a baseline is being read. */
class RunCommandTest {
    @Test
    void shouldPrintTheLoadProgressOfEverySideStillReading() {
        Map<String, Object> sides = new LinkedHashMap<>();
        sides.put("source", Map.of("phase", "STREAMING", "snapshot",
                Map.of("method", "PARITY", "running", true, "rowsDone", 250_000L, "rowsEstimated", 1_000_000L, "percent", 25.0, "etaSeconds", 6.5)));
        sides.put("target", Map.of("phase", "STREAMING", "snapshot",
                Map.of("method", "PARITY", "running", false, "rowsDone", 1_000_000L, "rowsEstimated", 1_000_000L, "percent", 100.0)));
        assertThat(RunCommand.progressLine(Map.of("sides", sides)))
                .isEqualTo("snapshot: source (Parity's load) 250,000 of ~1,000,000 rows (25.0%, ETA 6.5 s)");
    }

    @Test
    void shouldPrintNothingOnceNoSideIsReading() {
        Map<String, Object> sides = Map.of("source", Map.of("phase", "STREAMING"),
                "target", Map.of("phase", "STREAMING", "snapshot", Map.of("method", "DEBEZIUM", "running", false, "rowsDone", 10L)));
        assertThat(RunCommand.progressLine(Map.of("sides", sides))).isNull();
    }
}
