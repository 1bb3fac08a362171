package dev.parity.api.config;

import dev.parity.ingest.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, validated. Defaults live in {@link ConfigLoader#DEFAULTS} and nowhere else.
 * {@link #toString()} of every part holding a secret masks it.
 */
public record ParityConfig(String name, Database source, Database target, Tables tables, int chunkBits,
                           Heartbeat heartbeat, Readiness readiness, Kafka kafka, Api api, Alerts alerts, Verify verify,
                           Snapshot snapshot, Path stateDir) {

    /**
     * @param engine   from the URL unless given explicitly
     * @param serverId MySQL/MariaDB: the replica server id the capture presents; null for a derived one
     */
    public record Database(String url, String user, String password, Engine engine, Long serverId) {
        @Override
        public String toString() {
            return "Database[url=" + dev.parity.ingest.jdbc.Endpoint.redact(url) + ", user=" + user + ", password=***, engine=" + engine
                    + ", serverId=" + serverId + "]";
        }
    }

    /** @param map source table → target table (schema.table); unmapped tables keep their name */
    public record Tables(List<String> include, List<String> exclude, Map<String, String> map) {
        public Tables {
            include = List.copyOf(include);
            exclude = List.copyOf(exclude);
            map = Map.copyOf(map);
        }
    }

    /**
     * @param table              heartbeat table, optionally namespace-qualified
     * @param enabled            false: no write access to the source, grace-period verdicts
     * @param extraWhenUnordered heartbeats a mismatch must also outlast where the replica may apply out of commit order
     */
    public record Heartbeat(String table, Duration interval, boolean enabled, Duration grace, int extraWhenUnordered) {
    }

    public record Readiness(Duration maxLag, Duration fenceTimeout) {
    }

    /** @param bootstrapServers empty: an embedded broker under the state dir */
    public record Kafka(String bootstrapServers, int partitions, Map<String, String> properties) {
        public Kafka {
            properties = Map.copyOf(properties);
        }

        public boolean embedded() {
            return bootstrapServers.isBlank();
        }
    }

    public record Api(String bind, int port, String token) {
        @Override
        public String toString() {
            return "Api[bind=" + bind + ", port=" + port + ", token=" + (token == null || token.isEmpty() ? "" : "***") + "]";
        }
    }

    /** @param groupInterval at most one divergence message per table per interval */
    public record Alerts(List<String> webhooks, Duration lagThreshold, Duration groupInterval) {
        public Alerts {
            webhooks = List.copyOf(webhooks);
        }
    }

    /**
     * The verification sweep: re-reads every captured table by key range to find writes no log
     * recorded (MySQL/MariaDB {@code SET sql_log_bin = 0}, in-place {@code ALTER}, {@code TRUNCATE}).
     *
     * @param interval         pause between the end of one round and the start of the next
     * @param sides            which databases are re-read
     * @param maxRowsPerSecond read budget per database, to stay a polite guest on production
     */
    public record Verify(boolean enabled, java.time.Duration interval, List<dev.parity.reconciler.model.Side> sides, int pageRows,
                         int maxRowsPerSecond) {
        public Verify {
            sides = List.copyOf(sides);
        }
    }

    /**
     * How the first verdict's baseline is read.
     *
     * @param method   {@code parity}: Debezium streams only, Parity reads both sides by the same key ranges
     *                 in parallel and hashes rows in flight; {@code debezium}: the connectors' own snapshots;
     *                 {@code auto}: parity where every table allows it (see README), otherwise debezium
     * @param pageRows rows per source page of Parity's load (the target reads the same key range)
     */
    public record Snapshot(Method method, int pageRows) {
        public enum Method { AUTO, PARITY, DEBEZIUM }
    }
}
