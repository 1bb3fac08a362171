package dev.parity.ingest.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What a connector on Kafka Connect keeps of the embedded engine's settings, and what it never shows. */
class ConnectorConfigTest {
    @Test
    void shouldDropEmbeddedOnlySettingsAndNeverPrintThePassword() {
        Properties p = new Properties();
        p.setProperty("name", "parity-x-source");
        p.setProperty("offset.storage.file.filename", "/state/source.offsets");
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", "/state/h");
        p.setProperty("database.password", "s3cret");
        p.setProperty("decimal.handling.mode", "precise");
        var c = ConnectorConfig.from(p, "cdc_parity_x_source", "k:9092", "PARITY_SOURCE_PASSWORD");
        assertThat(c).doesNotContainKeys("name", "offset.storage.file.filename", "schema.history.internal.file.filename");
        assertThat(c.values()).noneMatch(v -> v.contains("s3cret"));
        assertThat(c).containsEntry("database.password", "${env:PARITY_SOURCE_PASSWORD}")
                .containsEntry("schema.history.internal.kafka.topic", "cdc_parity_x_source-schema-history")
                .containsEntry("value.converter.schemas.enable", "true").containsEntry("decimal.handling.mode", "precise")
                .containsEntry("topic.prefix", "cdc_parity_x_source");
    }
}
