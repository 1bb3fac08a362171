package dev.parity.ingest.debezium;

import dev.parity.ingest.jdbc.Endpoint;
import java.nio.file.Path;
import java.util.Properties;

/** The Debezium settings every connector Parity runs shares: offsets, connection, precise types, batching. */
public final class CommonConnectorProperties {
    private CommonConnectorProperties() {
    }

    /**
     * @param engineName names the engine and, sanitised, the topic prefix (and so the connector's metrics)
     * @param offsetFile where offsets are kept; flushed once a second, and only past events Kafka acknowledged
     */
    public static Properties of(String engineName, String connectorClass, Endpoint endpoint, int defaultPort, Path offsetFile) {
        Endpoint.Location loc = endpoint.location(defaultPort);
        Properties p = new Properties();
        p.setProperty("name", engineName);
        p.setProperty("connector.class", connectorClass);
        p.setProperty("offset.storage", AtomicFileOffsetStore.class.getName()); // written whole or not at all
        p.setProperty("offset.storage.file.filename", offsetFile.toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("database.hostname", loc.host());
        p.setProperty("database.port", Integer.toString(loc.port()));
        if (endpoint.user() != null) {
            p.setProperty("database.user", endpoint.user());
        }
        if (endpoint.password() != null) {
            p.setProperty("database.password", endpoint.password());
        }
        p.setProperty("topic.prefix", engineName.replaceAll("[^A-Za-z0-9_]", "_"));
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("include.unknown.datatypes", "true");
        p.setProperty("tombstones.on.delete", "false");
        // Debezium skips TRUNCATE events unless told otherwise; Parity deletes a truncated side's rows at once.
        p.setProperty("skipped.operations", "none");
        // The connector's own heartbeat keeps its position moving on idle databases (PostgreSQL: WAL is not held back).
        p.setProperty("heartbeat.interval.ms", "5000");
        // A batch is handed over when 4,096 events gathered or this interval passed: Debezium's 500 ms default was half of
        // Parity's lag at a database's full speed (README, "Keeping up"); 100 ms costs a little more CPU per change.
        p.setProperty("poll.interval.ms", "100");
        p.setProperty("max.batch.size", "4096");
        p.setProperty("max.queue.size", "16384");
        // And a bounded number of bytes of events waiting, whatever their size: a table of 10 MB values must not fill
        // the heap with 16,384 of them (README, "When things fail"); a batch taken from the queue is bounded by it too.
        p.setProperty("max.queue.size.in.bytes", String.valueOf(dev.parity.ingest.jdbc.MemoryBudget.captureQueueBytes()));
        return p;
    }
}
