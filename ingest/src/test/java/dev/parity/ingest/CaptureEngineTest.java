package dev.parity.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.ingest.debezium.PositionFormat;
import dev.parity.ingest.debezium.RecordMapper;
import dev.parity.ingest.debezium.TableMapping;
import dev.parity.ingest.engine.CaptureNames;
import dev.parity.ingest.engine.DatabaseAdapter;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CaptureEngineTest {
    @Test
    void shouldRefuseToStartWithEveryConfigurationProblemTheConnectorReports() {
        Properties props = DatabaseAdapter.of(Engine.POSTGRESQL, new Endpoint(Side.SOURCE, "jdbc:postgresql://db1:5432/shop", "parity", "pw"))
                .debezium(new CaptureNames("parity-x-source", "parity_x_source", "parity_x", 1, Path.of("/tmp")), List.of("public.t"),
                        Map.of("decimal.handling.mode", "guess"));
        props.remove("database.dbname");
        CaptureEngine engine = new CaptureEngine("source", props,
                new RecordMapper(Side.SOURCE, new TableMapping(Map.of()), "public.parity_heartbeat", PositionFormat.POSTGRES),
                null, new CaptureStatus(Side.SOURCE), Clock.systemUTC());
        assertThatThrownBy(engine::validate).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("database.dbname")
                .hasMessageContaining("decimal.handling.mode")
                .message().doesNotContain("pw");
    }
}
