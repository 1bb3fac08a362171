package io.debezium.pipeline.meters;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.Envelope.Operation;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** Parity's CommonEventMeter: Debezium's counters, the LastEvent summary rendered only when read. */
class CommonEventMeterTest {
    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();

    /** The connector's metadata: a position per event, and a count of how often a summary was rendered. */
    private static final class Positions implements EventMetadataProvider {
        final AtomicInteger rendered = new AtomicInteger();

        @Override
        public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return null;
        }

        @Override
        public Map<String, String> getEventSourcePosition(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Map.of("lsn", String.valueOf(((Struct) key).getInt64("id") * 10));
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return null;
        }

        @Override
        public String toSummaryString(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            rendered.incrementAndGet();
            return EventMetadataProvider.super.toSummaryString(source, offset, key, value);
        }
    }

    @Test
    void shouldRenderTheLastEventOnlyWhenItIsRead() {
        Positions positions = new Positions();
        CommonEventMeter meter = new CommonEventMeter(Clock.system(), positions);
        for (long id = 1; id <= 1_000; id++) {
            meter.onEvent(null, null, new Struct(KEY).put("id", id), null, Operation.UPDATE);
        }
        assertThat(positions.rendered).hasValue(0);
        assertThat(meter.getLastEvent()).isEqualTo(new Positions().toSummaryString(null, null, new Struct(KEY).put("id", 1_000L), null))
                .contains("10000").contains("1000");
        assertThat(positions.rendered).hasValue(1);
    }

    @Test
    void shouldCountLikeDebeziumsMeter() {
        CommonEventMeter meter = new CommonEventMeter(Clock.system(), new Positions());
        meter.onEvent(null, null, new Struct(KEY).put("id", 1L), null, Operation.CREATE);
        meter.onEvent(null, null, new Struct(KEY).put("id", 2L), null, Operation.UPDATE);
        meter.onEvent(null, null, new Struct(KEY).put("id", 3L), null, Operation.DELETE);
        meter.onFilteredEvent(Operation.UPDATE);
        meter.onErroneousEvent();
        assertThat(meter.getTotalNumberOfEventsSeen()).isEqualTo(5);
        assertThat(meter.getTotalNumberOfCreateEventsSeen()).isEqualTo(1);
        assertThat(meter.getTotalNumberOfUpdateEventsSeen()).isEqualTo(2);
        assertThat(meter.getTotalNumberOfDeleteEventsSeen()).isEqualTo(1);
        assertThat(meter.getNumberOfEventsFiltered()).isEqualTo(1);
        assertThat(meter.getNumberOfErroneousEvents()).isEqualTo(1);
        assertThat(meter.getMilliSecondsSinceLastEvent()).isGreaterThanOrEqualTo(0);
        meter.reset();
        assertThat(meter.getTotalNumberOfEventsSeen()).isZero();
        assertThat(meter.getLastEvent()).isNull();
        assertThat(meter.getMilliSecondsSinceLastEvent()).isEqualTo(-1);
    }

    @Test
    void shouldBeTheClassThatIsLoaded() {
        assertThat(dev.parity.ingest.CaptureEngine.class).isNotNull();
        assertThat(CommonEventMeter.RENDERS_LAST_EVENT_ON_READ).isTrue();
    }
}
