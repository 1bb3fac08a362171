package io.debezium.pipeline.meters;

import io.debezium.annotation.ThreadSafe;
import io.debezium.data.Envelope.Operation;
import io.debezium.pipeline.metrics.traits.CommonEventMetricsMXBean;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;

/**
 * Parity's replacement for Debezium 3.5's class of this name (README, "Development": why Parity ships
 * it): the same counters and MBean attributes, but the {@code LastEvent} summary is rendered when the
 * attribute is read, not for every event. Debezium 3.5 renders it per event through
 * {@code SchemaUtil.asDetailedString}, which builds a new Jackson {@code ObjectMapper} each time: a
 * quarter of a capture's CPU in Parity's profile, for a string nobody reads (upstream dbz#2492, fixed
 * after 3.5, the last release with a MariaDB connector on Maven Central).
 *
 * <p>The rendering is the connector's own ({@code EventMetadataProvider#toSummaryString}) over the
 * event's key and value, which are immutable; the connectors Parity uses read the position from the
 * value, so the summary is the one Debezium would have shown. The class must precede Debezium's
 * {@code debezium-connector-common} jar on the class path: the launcher puts Parity's jars first, and
 * {@code CaptureEngine} warns when Debezium's own class was loaded instead.
 */
@ThreadSafe
public class CommonEventMeter implements CommonEventMetricsMXBean {
    /** Present only in Parity's version: how {@code CaptureEngine} tells which class was loaded. */
    public static final boolean RENDERS_LAST_EVENT_ON_READ = true;

    private record Last(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
    }

    protected final AtomicLong totalNumberOfEventsSeen = new AtomicLong();
    protected final AtomicLong totalNumberOfCreateEventsSeen = new AtomicLong();
    protected final AtomicLong totalNumberOfUpdateEventsSeen = new AtomicLong();
    protected final AtomicLong totalNumberOfDeleteEventsSeen = new AtomicLong();
    private final AtomicLong numberOfEventsFiltered = new AtomicLong();
    protected final AtomicLong numberOfErroneousEvents = new AtomicLong();
    protected final AtomicLong lastEventTimestamp = new AtomicLong(-1);
    private volatile Last last;

    private final Clock clock;
    private final EventMetadataProvider metadataProvider;

    public CommonEventMeter(Clock clock, EventMetadataProvider metadataProvider) {
        this.clock = clock;
        this.metadataProvider = metadataProvider;
    }

    public void onEvent(DataCollectionId source, OffsetContext offset, Object key, Struct value, Operation operation) {
        count(operation);
        last = new Last(source, offset, key, value);
    }

    public void onFilteredEvent() {
        numberOfEventsFiltered.incrementAndGet();
        count(null);
    }

    public void onFilteredEvent(Operation operation) {
        numberOfEventsFiltered.incrementAndGet();
        count(operation);
    }

    public void onErroneousEvent() {
        numberOfErroneousEvents.incrementAndGet();
        count(null);
    }

    public void onErroneousEvent(Operation operation) {
        numberOfErroneousEvents.incrementAndGet();
        count(operation);
    }

    private void count(Operation operation) {
        totalNumberOfEventsSeen.incrementAndGet();
        lastEventTimestamp.set(clock.currentTimeInMillis());
        if (operation == null) {
            return;
        }
        switch (operation) {
            case CREATE -> totalNumberOfCreateEventsSeen.incrementAndGet();
            case UPDATE -> totalNumberOfUpdateEventsSeen.incrementAndGet();
            case DELETE -> totalNumberOfDeleteEventsSeen.incrementAndGet();
            default -> {
            }
        }
    }

    @Override
    public String getLastEvent() {
        Last l = last;
        return l == null ? null : metadataProvider.toSummaryString(l.source(), l.offset(), l.key(), l.value());
    }

    @Override
    public long getMilliSecondsSinceLastEvent() {
        return lastEventTimestamp.get() == -1 ? -1 : clock.currentTimeInMillis() - lastEventTimestamp.get();
    }

    @Override
    public long getTotalNumberOfEventsSeen() {
        return totalNumberOfEventsSeen.get();
    }

    @Override
    public long getTotalNumberOfCreateEventsSeen() {
        return totalNumberOfCreateEventsSeen.get();
    }

    @Override
    public long getTotalNumberOfUpdateEventsSeen() {
        return totalNumberOfUpdateEventsSeen.get();
    }

    @Override
    public long getTotalNumberOfDeleteEventsSeen() {
        return totalNumberOfDeleteEventsSeen.get();
    }

    @Override
    public long getNumberOfEventsFiltered() {
        return numberOfEventsFiltered.get();
    }

    @Override
    public long getNumberOfErroneousEvents() {
        return numberOfErroneousEvents.get();
    }

    public void reset() {
        totalNumberOfEventsSeen.set(0);
        totalNumberOfCreateEventsSeen.set(0);
        totalNumberOfUpdateEventsSeen.set(0);
        totalNumberOfDeleteEventsSeen.set(0);
        lastEventTimestamp.set(-1);
        numberOfEventsFiltered.set(0);
        numberOfErroneousEvents.set(0);
        last = null;
    }
}
