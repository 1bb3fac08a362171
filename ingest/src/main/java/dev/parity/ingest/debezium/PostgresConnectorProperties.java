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

    /** PostgreSQL JDBC driver options for TLS that Debezium's connector takes as {@code database.<option>}. */
    static final java.util.Set<String> TLS_PARAMETERS = java.util.Set.of("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslfactory");

    /**
     * @param tables   schema.table names to capture (the heartbeat table included)
     * @param overrides extra Debezium properties from the config; they win
     */
    public static Properties of(String engineName, Endpoint endpoint, String slot, String publication, List<String> tables,
                                Path offsetFile, Map<String, String> overrides) {
        Properties p = CommonConnectorProperties.of(engineName, "io.debezium.connector.postgresql.PostgresConnector", endpoint, 5432, offsetFile);
        p.setProperty("database.dbname", endpoint.location(5432).database());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", publication);
        // Parity creates the publication itself, tables with a replica identity only (see PostgresCatalog.ensurePublication).
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", tables.stream().map(Pattern::quote).collect(Collectors.joining(",")));
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("errors.max.retries", "3");
        // TLS as the JDBC URL asks it (README, "Security"): the capture's connections (the replication one included)
        // use the same settings as Parity's own reads, under Debezium's names for the driver's options.
        endpoint.urlParameters().forEach((key, value) -> {
            if (TLS_PARAMETERS.contains(key)) {
                p.setProperty("database." + key, value);
            }
        });
        overrides.forEach(p::setProperty);
        return p;
    }
}
