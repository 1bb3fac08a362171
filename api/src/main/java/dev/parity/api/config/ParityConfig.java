package dev.parity.api.config;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.IngestConfig.Database;
import dev.parity.ingest.IngestConfig.Snapshot;
import dev.parity.ingest.IngestConfig.Tables;
import dev.parity.ingest.IngestConfig.Verify;
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
                           Snapshot snapshot, Drilldown drilldown, Capture capture, Path stateDir, int stateMinFreeMb) {
    // The databases, tables, sweep and load settings are the adapters' (IngestConfig); declared there once.

    /**
     * @param table              heartbeat table, optionally namespace-qualified
     * @param enabled            false: no write access to the source, grace-period verdicts
     * @param extraWhenUnordered heartbeats a mismatch must also outlast where the replica may apply out of commit order
     */
    public record Heartbeat(String table, Duration interval, boolean enabled, Duration grace, int extraWhenUnordered) {
    }

    /**
     * Reading divergent rows to say which column differs and why (README, "Which column, and why").
     *
     * @param values           how responses carrying row values show them (with the API token): {@code show} (cut
     *                         at {@link #CUT} characters), {@code hash} or {@code hide}
     * @param maxKeysPerSecond most keys read per side and second
     */
    public record Drilldown(boolean enabled, String values, int maxKeysPerSecond) {
        public static final int CUT = 200;
    }

    public record Readiness(Duration maxLag, Duration fenceTimeout) {
    }

    /**
     * Where the change events come from (README, "Deployment").
     *
     * @param mode {@code embedded}: Parity runs a Debezium engine per side; {@code connect}: the user runs Debezium's
     *             connectors on their Kafka Connect cluster (configured from {@code parity connect-config}) and Parity
     *             reads their topics
     */
    public record Capture(String mode) {
        public static final String EMBEDDED = "embedded";
        public static final String CONNECT = "connect";

        public boolean connect() {
            return CONNECT.equals(mode);
        }
    }

    /** @param bootstrapServers empty: an embedded broker under the state dir */
    public record Kafka(String bootstrapServers, int partitions, Map<String, String> properties) {
        public Kafka {
            properties = Map.copyOf(properties);
        }

        public boolean embedded() {
            return bootstrapServers.isBlank();
        }

        /**
         * {@code kafka.properties: {processing.guarantee: at_least_once}}: no Kafka transactions (for clusters that do not
         * allow them); each reconciler task then audits its stores when it starts (README, "When things fail").
         */
        public boolean atLeastOnce() {
            return "at_least_once".equals(properties.get("processing.guarantee"));
        }

        /** Property names only: their values carry SASL and keystore passwords. */
        @Override
        public String toString() {
            return "Kafka[bootstrapServers=" + bootstrapServers + ", partitions=" + partitions + ", properties=" + new java.util.TreeSet<>(properties.keySet()) + "]";
        }
    }

    /**
     * @param advertise {@code host:port} other instances of the same {@code name} reach this API at; null: a single
     *                  instance (README, "Deployment")
     */
    public record Api(String bind, int port, String token, String advertise, Tls tls) {
        public Api(String bind, int port, String token, String advertise) {
            this(bind, port, token, advertise, null);
        }

        @Override
        public String toString() {
            return "Api[bind=" + bind + ", port=" + port + ", token=" + (token == null || token.isEmpty() ? "" : "***") + ", advertise=" + advertise
                    + ", tls=" + tls + "]";
        }

        /** This instance's address among several, as Kafka Streams names it; null for a single instance. */
        public org.apache.kafka.streams.state.HostInfo advertised() {
            return advertise == null ? null : org.apache.kafka.streams.state.HostInfo.buildFromEndpoint(advertise);
        }

        /** {@code https} when the API serves TLS ({@code api.tls}), else {@code http}. */
        public String scheme() {
            return tls == null ? "http" : "https";
        }
    }

    /**
     * {@code api.tls}: the API serves HTTPS with the key and certificate in this keystore (PKCS12 or JKS); instances
     * of one application also trust it when they talk to each other (README, "Security").
     */
    public record Tls(Path keystore, String password) {
        @Override
        public String toString() {
            return "Tls[keystore=" + keystore + ", password=***]";
        }
    }

    /** @param groupInterval at most one divergence message per table per interval */
    public record Alerts(List<String> webhooks, Duration lagThreshold, Duration groupInterval) {
        public Alerts {
            webhooks = List.copyOf(webhooks);
        }
    }

    /** The part of the configuration the adapters to the databases need. */
    public IngestConfig ingest() {
        return new IngestConfig(name, source, target, tables, new IngestConfig.Heartbeat(heartbeat.table(), heartbeat.interval(), heartbeat.enabled()),
                verify, snapshot, stateDir);
    }
}
