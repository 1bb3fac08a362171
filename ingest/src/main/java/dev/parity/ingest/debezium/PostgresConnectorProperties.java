package dev.parity.ingest.debezium;

import dev.parity.ingest.jdbc.Endpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Debezium PostgreSQL connector settings for one side: pgoutput, Parity's slot and publication, precise types. */
public final class PostgresConnectorProperties {
    private PostgresConnectorProperties() {
    }

    /**
     * @param tables   schema.table names to capture (the heartbeat table included)
     * @param overrides extra Debezium properties from the config; they win
     */
    public static Properties of(String engineName, Endpoint endpoint, String slot, String publication, List<String> tables,
                                Path offsetFile, Map<String, String> overrides) {
        Endpoint.Location loc = endpoint.location(5432);
        Properties p = new Properties();
        p.setProperty("name", engineName);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsetFile.toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("database.hostname", loc.host());
        p.setProperty("database.port", Integer.toString(loc.port()));
        p.setProperty("database.dbname", loc.database());
        if (endpoint.user() != null) {
            p.setProperty("database.user", endpoint.user());
        }
        if (endpoint.password() != null) {
            p.setProperty("database.password", endpoint.password());
        }
        p.setProperty("topic.prefix", engineName.replaceAll("[^A-Za-z0-9_]", "_"));
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", publication);
        // Parity creates the publication itself, keyed tables only (see PostgresCatalog.ensurePublication).
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", tables.stream().map(Pattern::quote).collect(Collectors.joining(",")));
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("include.unknown.datatypes", "true");
        p.setProperty("tombstones.on.delete", "false");
        // Debezium's own heartbeat keeps the slot's confirmed position moving on idle databases (WAL is not held back).
        p.setProperty("heartbeat.interval.ms", "5000");
        p.setProperty("max.batch.size", "4096");
        p.setProperty("max.queue.size", "16384");
        p.setProperty("errors.max.retries", "3");
        overrides.forEach(p::setProperty);
        return p;
    }
}
