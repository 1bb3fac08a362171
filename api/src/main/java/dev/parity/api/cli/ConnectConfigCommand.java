package dev.parity.api.cli;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.status.Json;
import dev.parity.ingest.side.ConnectorPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the Debezium connectors to run on the user's Kafka Connect cluster for {@code capture.mode: connect}
 * (README, "Deployment"), after readying both databases as {@code parity run} does. Stdout is the JSON array
 * only; what was readied and how to post it go to stderr.
 */
@Command(name = "connect-config", description = "Ready both databases and print, as JSON, the Debezium connectors to POST to your Kafka Connect"
        + " cluster for capture.mode: connect.")
final class ConnectConfigCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
    Path config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ParityConfig cfg = ConfigLoader.load(config, System.getenv());
        if (cfg.kafka().embedded()) {
            System.err.println("parity connect-config: kafka.bootstrapServers is empty: set it to the Kafka cluster your Kafka Connect writes to");
            return ParityCli.ERROR;
        }
        List<ConnectorPlan.Connector> connectors = ConnectorPlan.prepare(cfg.ingest(), cfg.kafka().bootstrapServers(),
                w -> System.err.println("warning: " + w));
        spec.commandLine().getOut().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(connectors));
        spec.commandLine().getOut().flush();
        System.err.println("POST each connector to your Connect cluster (jq -c '.[]' | curl -H 'Content-Type: application/json' -d @- "
                + "http://CONNECT:8083/connectors, once per connector); the passwords are ${env:PARITY_SOURCE_PASSWORD} and"
                + " ${env:PARITY_TARGET_PASSWORD}: give the workers config.providers=env"
                + " (org.apache.kafka.common.config.provider.EnvVarConfigProvider) and those variables. Then: parity run with capture.mode: connect.");
        return 0;
    }
}
