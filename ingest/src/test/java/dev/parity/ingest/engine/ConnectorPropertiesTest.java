package dev.parity.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The Debezium settings each engine's capture gets: the ones Parity's correctness depends on. */
class ConnectorPropertiesTest {
    private static final CaptureNames NAMES = new CaptureNames("parity-shop-source", "parity_shop_source", "parity_shop", 5_400_123L,
            Path.of("/var/lib/parity/capture"));

    @Test
    void shouldConfigurePostgresCaptureWithPgoutputParitysSlotAndPublicationAndPreciseTypes() {
        Properties p = DatabaseAdapter.of(Engine.POSTGRESQL, new Endpoint(Side.SOURCE, "jdbc:postgresql://db1:6432/shop", "parity", "pw"))
                .debezium(NAMES, List.of("public.orders", "public.parity_heartbeat"), Map.of());
        assertThat(p).containsEntry("connector.class", "io.debezium.connector.postgresql.PostgresConnector")
                .containsEntry("database.hostname", "db1").containsEntry("database.port", "6432").containsEntry("database.dbname", "shop")
                .containsEntry("plugin.name", "pgoutput").containsEntry("slot.name", "parity_shop_source")
                .containsEntry("publication.name", "parity_shop").containsEntry("publication.autocreate.mode", "disabled")
                .containsEntry("decimal.handling.mode", "precise").containsEntry("tombstones.on.delete", "false")
                .containsEntry("offset.storage.file.filename", "/var/lib/parity/capture/source.offsets")
                .containsEntry("topic.prefix", "parity_shop_source");
        assertThat(p.getProperty("table.include.list")).contains("\\Qpublic.orders\\E").contains("\\Qpublic.parity_heartbeat\\E");
    }

    @Test
    void shouldGiveThePostgresCaptureTheUrlsTlsOptionsAndNoOtherUrlOption() {
        Properties p = DatabaseAdapter.of(Engine.POSTGRESQL, new Endpoint(Side.SOURCE,
                        "jdbc:postgresql://db1/shop?sslmode=verify-full&sslrootcert=%2Fetc%2Fparity%2Fca.pem&sslcert=/c.pem&sslkey=/k.pk8"
                                + "&sslpassword=kp&ApplicationName=x&socketTimeout=5", "parity", "pw"))
                .debezium(NAMES, List.of("public.orders"), Map.of());
        assertThat(p).containsEntry("database.sslmode", "verify-full").containsEntry("database.sslrootcert", "/etc/parity/ca.pem")
                .containsEntry("database.sslcert", "/c.pem").containsEntry("database.sslkey", "/k.pk8").containsEntry("database.sslpassword", "kp")
                .doesNotContainKeys("database.ApplicationName", "database.socketTimeout");
        assertThat(DatabaseAdapter.of(Engine.POSTGRESQL, new Endpoint(Side.SOURCE, "jdbc:postgresql://db1/shop", "parity", "pw"))
                .debezium(NAMES, List.of("public.orders"), Map.of()).stringPropertyNames()).noneMatch(k -> k.startsWith("database.ssl"));
    }

    @Test
    void shouldConfigureMariaDbCaptureWithItsServerIdSchemaHistoryAndBooleanConverter() {
        Properties p = DatabaseAdapter.of(Engine.MARIADB, new Endpoint(Side.TARGET, "jdbc:mariadb://db2/shop", "parity", "pw"))
                .debezium(NAMES, List.of("shop.orders", "shop.parity_heartbeat"), Map.of("snapshot.fetch.size", "10000"));
        assertThat(p).containsEntry("connector.class", "io.debezium.connector.mariadb.MariaDbConnector")
                .containsEntry("database.port", "3306").containsEntry("database.server.id", "5400123")
                .containsEntry("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory")
                .containsEntry("bigint.unsigned.handling.mode", "precise")
                .containsEntry("boolean.type", "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter")
                .containsEntry("database.include.list", "\\Qshop\\E")
                .containsEntry("snapshot.fetch.size", "10000");
        assertThat(DatabaseAdapter.of(Engine.MYSQL, new Endpoint(Side.TARGET, "jdbc:mysql://db2/shop", "parity", "pw"))
                .debezium(NAMES, List.of("shop.orders"), Map.of())).containsEntry("connector.class", "io.debezium.connector.mysql.MySqlConnector");
    }
}
