package dev.parity.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.CaptureEngine;
import org.junit.jupiter.api.Test;

/** The application's class path puts Parity's jars before Debezium's (README, "Development"). */
class ClassPathOrderTest {
    @Test
    void shouldLoadParitysCommonEventMeterRatherThanDebeziums() {
        assertThat(CaptureEngine.lastEventRenderedOnRead()).as("io.debezium.pipeline.meters.CommonEventMeter from parity-ingest").isTrue();
    }
}
