package dev.parity.ingest.connect;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A side's Debezium connector for the user's Kafka Connect cluster (README, "Deployment"): the embedded engine's
 * settings, less what only an embedded engine has (its offset file; a binlog connector's schema history goes to a
 * Kafka topic), plus Connect's JSON converter with schemas, which {@link ConnectCapture} reads. The password is
 * never printed: a Connect config-provider reference stands in its place.
 */
public final class ConnectorConfig {
    private ConnectorConfig() {
    }

    /**
     * @param embedded         the embedded engine's settings for this side
     * @param topicPrefix      the connector's topics are {@code <prefix>.<namespace>.<table>}
     * @param kafkaBootstrap   the cluster Connect writes to
     * @param passwordVariable the environment variable a worker's {@code env} config provider reads the password from
     */
    public static Map<String, String> from(Properties embedded, String topicPrefix, String kafkaBootstrap, String passwordVariable) {
        Map<String, String> out = new TreeMap<>();
        embedded.stringPropertyNames().forEach(k -> out.put(k, embedded.getProperty(k)));
        out.keySet().removeIf(k -> k.startsWith("offset."));
        out.remove("name");
        if (out.containsKey("schema.history.internal")) {
            out.remove("schema.history.internal.file.filename");
            out.put("schema.history.internal", "io.debezium.storage.kafka.history.KafkaSchemaHistory");
            out.put("schema.history.internal.kafka.bootstrap.servers", kafkaBootstrap);
            out.put("schema.history.internal.kafka.topic", topicPrefix + "-schema-history"); // outside <prefix>.*, which Parity reads
        }
        if (out.containsKey("database.password")) {
            out.put("database.password", "${env:" + passwordVariable + "}");
        }
        out.put("tasks.max", "1");
        out.put("topic.prefix", topicPrefix);
        // Connect creates the per-table topics itself (brokers often refuse auto-creation): one partition keeps a
        // table's changes in commit order; the replication factor is the cluster's default.
        out.put("topic.creation.default.partitions", "1");
        out.put("topic.creation.default.replication.factor", "-1");
        for (String c : List.of("key", "value")) {
            out.put(c + ".converter", "org.apache.kafka.connect.json.JsonConverter");
            out.put(c + ".converter.schemas.enable", "true");
        }
        return out;
    }
}
