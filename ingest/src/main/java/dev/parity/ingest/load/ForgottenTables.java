package dev.parity.ingest.load;

import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.model.Truncate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears from the reconciler's state the tables the last run watched and this one does not (dropped or renamed on
 * both sides, or filtered out since: README, "When things fail"). Their keys would otherwise stay in the stores for
 * ever, a divergence among them reported with no table to show it under. Each side gets what its log would have
 * carried had the table been truncated, before its capture resumes: both sides' rows of the table are deleted, and
 * the keys, equal in their absence, are forgotten once both streams pass their fences.
 */
public final class ForgottenTables {
    private static final Logger LOG = LoggerFactory.getLogger(ForgottenTables.class);
    /** The position such a clearing records: no database log position, said so. */
    static final String POSITION = "parity:no-longer-watched";

    private ForgottenTables() {
    }

    public static void clear(List<String> tables, SideTopics topics, Clock clock) throws InterruptedException {
        if (tables.isEmpty()) {
            return;
        }
        long micros = clock.millis() * 1000;
        for (Side side : Side.values()) {
            try (ChangeProducer producer = topics.producer(side)) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (String table : tables) {
                    producer.send(new MappedRecord(null, new Truncate(side, table, micros, POSITION)), acks);
                }
                ChangeProducer.awaitAcks(acks, "forget-" + side.label());
            }
        }
        LOG.info("no longer watched since the last run (dropped, renamed or filtered out): {}; their rows are cleared from Parity's state",
                String.join(", ", tables));
    }
}
