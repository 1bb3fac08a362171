package dev.parity.ingest.side;

import dev.parity.ingest.IngestConfig;
import dev.parity.reconciler.model.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Debezium connectors a user runs on their Kafka Connect cluster for {@code capture.mode: connect}
 * ({@code parity connect-config}, README "Deployment"): both databases are readied as {@code parity run}
 * readies them (heartbeat table, publication: README "What Parity creates in your databases"), the same
 * tables are planned, and each side's connector is configured as Parity's embedded engine would be.
 */
public final class ConnectorPlan {
    private ConnectorPlan() {
    }

    /** One connector, as POSTed to Connect's {@code /connectors}. */
    public record Connector(String name, Map<String, String> config) {
        public Connector {
            config = Map.copyOf(config);
        }
    }

    /**
     * @param kafkaBootstrap the Kafka cluster Connect writes to
     * @param warnings       receives what does not stop Parity (as {@code parity run} logs it)
     */
    public static List<Connector> prepare(IngestConfig config, String kafkaBootstrap, java.util.function.Consumer<String> warnings) throws Exception {
        SidePlan plan = SidePlan.of(config, warnings, warnings);
        if (plan.verified().isEmpty()) {
            throw new IllegalStateException("no table to verify: check tables.include and the warnings above");
        }
        List<Connector> out = new ArrayList<>();
        for (Map.Entry<Side, List<String>> e : plan.readyCapture().entrySet()) {
            SideDatabase db = plan.databases().of(e.getKey());
            out.add(new Connector(db.connectorName(), db.connectorConfig(e.getValue(), kafkaBootstrap)));
        }
        return out;
    }
}
