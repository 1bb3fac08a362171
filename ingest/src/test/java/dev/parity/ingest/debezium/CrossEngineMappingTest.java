package dev.parity.ingest.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import io.debezium.data.Bits;
import io.debezium.data.EnumSet;
import io.debezium.data.Json;
import io.debezium.time.Date;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.Timestamp;
import io.debezium.time.Year;
import io.debezium.time.ZonedTimestamp;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The same logical value as Debezium's MySQL/MariaDB connector and its PostgreSQL connector deliver it
 * (with the settings Parity gives them) must hash the same once both tables map to one id; values the
 * README calls not comparable must not.
 */
class CrossEngineMappingTest {
    private static final Schema MYSQL_SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
            .field("db", Schema.STRING_SCHEMA).field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("gtid", Schema.OPTIONAL_STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).build();

    private final RecordMapper mysql = new RecordMapper(Side.SOURCE, new TableMapping(Map.of("shop.items", "shop.items")),
            "shop.parity_heartbeat", PositionFormat.BINLOG);
    private final RecordMapper postgres = new RecordMapper(Side.TARGET, new TableMapping(Map.of("public.items", "shop.items")),
            "public.parity_heartbeat", PositionFormat.POSTGRES);

    private static SourceRecord mysqlRecord(Schema valueSchema, Object value) {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("v", valueSchema).build();
        Schema env = SchemaBuilder.struct().field("before", row).field("after", row).field("source", MYSQL_SOURCE).field("op", Schema.STRING_SCHEMA).build();
        Struct source = new Struct(MYSQL_SOURCE).put("db", "shop").put("table", "items").put("ts_ms", 1_700_000_000_000L)
                .put("gtid", "0-1-42").put("file", "mariadb-bin.000001").put("pos", 4711L);
        Struct after = new Struct(row).put("id", 1L).put("v", value);
        Schema keySchema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        return new SourceRecord(Map.of(), Map.of(), "t", null, keySchema, new Struct(keySchema).put("id", 1L), env,
                new Struct(env).put("after", after).put("source", source).put("op", "c"));
    }

    private static SourceRecord pgRecord(Schema valueSchema, Object value) {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("V", valueSchema).build();
        Schema env = PgRecords.envelope(row);
        Struct after = new Struct(row).put("id", 1L).put("V", value);
        Schema keySchema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        return new SourceRecord(Map.of(), Map.of(), "t", null, keySchema, new Struct(keySchema).put("id", 1L), env,
                new Struct(env).put("after", after).put("source", PgRecords.source("public", "items", null)).put("op", "c"));
    }

    private Hash128 my(Schema s, Object v) {
        return ((RowChange) mysql.map(mysqlRecord(s, v)).event()).hash();
    }

    private Hash128 pg(Schema s, Object v) {
        return ((RowChange) postgres.map(pgRecord(s, v)).event()).hash();
    }

    private static Schema opt(SchemaBuilder b) {
        return b.optional().build();
    }

    @Test
    void shouldMatchBooleanFromTinyintOneConverterWithPostgresBoolean() {
        assertThat(my(Schema.OPTIONAL_BOOLEAN_SCHEMA, true)).isEqualTo(pg(Schema.OPTIONAL_BOOLEAN_SCHEMA, true));
        assertThat(my(Schema.OPTIONAL_INT16_SCHEMA, (short) 1)).as("TINYINT(1) without the converter is a number")
                .isNotEqualTo(pg(Schema.OPTIONAL_BOOLEAN_SCHEMA, true));
    }

    @Test
    void shouldMatchIntegersOfEveryWidthAndSignedness() {
        assertThat(my(Schema.OPTIONAL_INT16_SCHEMA, (short) 200)).as("TINYINT UNSIGNED ↔ smallint").isEqualTo(pg(Schema.OPTIONAL_INT16_SCHEMA, (short) 200));
        assertThat(my(Schema.OPTIONAL_INT64_SCHEMA, 4_000_000_000L)).as("INT UNSIGNED ↔ bigint").isEqualTo(pg(Schema.OPTIONAL_INT64_SCHEMA, 4_000_000_000L));
        assertThat(my(opt(Decimal.builder(0)), new BigDecimal("18446744073709551615"))).as("BIGINT UNSIGNED (precise) ↔ numeric(20,0)")
                .isEqualTo(pg(opt(Decimal.builder(0)), new BigDecimal("18446744073709551615")));
        assertThat(my(opt(Decimal.builder(0)), new BigDecimal("42"))).as("BIGINT UNSIGNED ↔ bigint").isEqualTo(pg(Schema.OPTIONAL_INT64_SCHEMA, 42L));
    }

    @Test
    void shouldMatchDecimalsByValueAndFloatsByBits() {
        assertThat(my(opt(Decimal.builder(3)), new BigDecimal("12.340"))).isEqualTo(pg(opt(Decimal.builder(2)), new BigDecimal("12.34")));
        assertThat(my(Schema.OPTIONAL_FLOAT64_SCHEMA, 0.1d)).isEqualTo(pg(Schema.OPTIONAL_FLOAT64_SCHEMA, 0.1d));
        assertThat(my(Schema.OPTIONAL_FLOAT32_SCHEMA, 0.1f)).as("FLOAT ↔ real").isEqualTo(pg(Schema.OPTIONAL_FLOAT32_SCHEMA, 0.1f));
        assertThat(my(Schema.OPTIONAL_FLOAT32_SCHEMA, 0.1f)).as("FLOAT ↔ double precision differ in precision").isNotEqualTo(pg(Schema.OPTIONAL_FLOAT64_SCHEMA, 0.1d));
    }

    @Test
    void shouldMatchStringsEnumsSetsAndBinary() {
        assertThat(my(Schema.OPTIONAL_STRING_SCHEMA, "ünïcode ✓")).isEqualTo(pg(Schema.OPTIONAL_STRING_SCHEMA, "ünïcode ✓"));
        assertThat(my(opt(io.debezium.data.Enum.builder("a,b")), "b")).as("ENUM ↔ text").isEqualTo(pg(Schema.OPTIONAL_STRING_SCHEMA, "b"));
        assertThat(my(opt(EnumSet.builder("a,b,c")), "a,c")).as("SET ↔ text").isEqualTo(pg(Schema.OPTIONAL_STRING_SCHEMA, "a,c"));
        assertThat(my(Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {1, 2})).as("VARBINARY ↔ bytea").isEqualTo(pg(Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {1, 2}));
        assertThat(my(opt(Bits.builder(8)), new byte[] {5})).as("BIT(8) ↔ bit(8)").isEqualTo(pg(opt(Bits.builder(8)), new byte[] {5}));
    }

    @Test
    void shouldMatchTemporalTypesByMeaning() {
        assertThat(my(opt(Date.builder()), 19_800)).isEqualTo(pg(opt(Date.builder()), 19_800));
        assertThat(my(opt(MicroTime.builder()), 45_296_000_001L)).isEqualTo(pg(opt(MicroTime.builder()), 45_296_000_001L));
        long local = 1_717_243_200_123_000L;
        assertThat(my(opt(Timestamp.builder()), local / 1000)).as("DATETIME(3) ↔ timestamp(6)").isEqualTo(pg(opt(MicroTimestamp.builder()), local));
        assertThat(my(opt(ZonedTimestamp.builder()), "2024-06-01T12:00:00Z")).as("TIMESTAMP ↔ timestamptz")
                .isEqualTo(pg(opt(ZonedTimestamp.builder()), "2024-06-01T14:00:00+02:00"));
        assertThat(my(opt(ZonedTimestamp.builder()), "2024-06-01T12:00:00Z")).as("TIMESTAMP ↔ timestamp without zone are not comparable")
                .isNotEqualTo(pg(opt(MicroTimestamp.builder()), 1_717_243_200_000_000L));
        assertThat(my(opt(Year.builder()), 2024)).as("YEAR ↔ smallint").isEqualTo(pg(Schema.OPTIONAL_INT16_SCHEMA, (short) 2024));
    }

    @Test
    void shouldMatchJsonCanonicallyAndTellWhenMariaDbJsonArrivesAsText() {
        assertThat(my(opt(Json.builder()), "{\"b\":1,\"a\":[1.50]}")).as("MySQL JSON ↔ jsonb").isEqualTo(pg(opt(Json.builder()), "{\"a\": [1.5], \"b\": 1}"));
        assertThat(my(Schema.OPTIONAL_STRING_SCHEMA, "{\"a\":1}")).as("MariaDB JSON is LONGTEXT: text, not comparable with jsonb")
                .isNotEqualTo(pg(opt(Json.builder()), "{\"a\":1}"));
    }

    @Test
    void shouldFoldColumnNameCaseAcrossEngines() {
        // pgRecord names the column "V", mysqlRecord "v": one column.
        assertThat(my(Schema.OPTIONAL_STRING_SCHEMA, "x")).isEqualTo(pg(Schema.OPTIONAL_STRING_SCHEMA, "x"));
    }

    @Test
    void shouldRenderBinlogPositionsAsGtid() {
        RowChange rc = (RowChange) mysql.map(mysqlRecord(Schema.OPTIONAL_STRING_SCHEMA, "x")).event();
        assertThat(rc.position()).isEqualTo("0-1-42");
        assertThat(rc.commitMicros()).isEqualTo(1_700_000_000_000_000L);
    }
}
