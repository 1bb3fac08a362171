package dev.parity.ingest.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.Side;
import io.debezium.data.Json;
import io.debezium.data.Uuid;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.time.Date;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.Timestamp;
import io.debezium.time.ZonedTimestamp;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Canonical forms of PostgreSQL types, from records shaped as Debezium's pgoutput connector produces them. */
class RecordMapperTest {
    private final RecordMapper mapper = new RecordMapper(Side.SOURCE, new TableMapping(Map.of("public.t", "public.t")),
            "public.parity_heartbeat", PositionFormat.POSTGRES);

    /** Hash of a one-column row (plus id) whose column has {@code schema} and {@code value}. */
    private Hash128 hashOf(Schema schema, Object value) {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("v", schema).build();
        Struct s = new Struct(row).put("id", 1L).put("v", value);
        return ((RowChange) mapper.map(PgRecords.record("u", s, null)).event()).hash();
    }

    private static Schema optional(SchemaBuilder b) {
        return b.optional().build();
    }

    @Test
    void shouldCompareTimestamptzAsAnInstantWhateverTheOffsetOrFractionSpelling() {
        Schema tz = optional(ZonedTimestamp.builder());
        Hash128 utc = hashOf(tz, "2024-03-01T10:00:59Z");
        assertThat(hashOf(tz, "2024-03-01T10:00:59.000Z")).isEqualTo(utc);
        assertThat(hashOf(tz, "2024-03-01T11:00:59+01:00")).isEqualTo(utc);
        assertThat(hashOf(tz, "2024-03-01T11:00:59Z")).as("a one-hour shift changes the hash").isNotEqualTo(utc);
    }

    @Test
    void shouldCompareTimestampWithoutZoneAsLocalDateTimeAcrossPrecisions() {
        long micros = 1_717_243_200_000_000L; // 2024-06-01T12:00:00
        assertThat(hashOf(optional(MicroTimestamp.builder()), micros)).isEqualTo(hashOf(optional(Timestamp.builder()), micros / 1000));
        assertThat(hashOf(optional(MicroTimestamp.builder()), micros)).isNotEqualTo(hashOf(optional(ZonedTimestamp.builder()), "2024-06-01T12:00:00Z"));
    }

    @Test
    void shouldCompareNumericByValueWhetherFixedOrVariableScale() {
        Schema fixed = optional(Decimal.builder(2));
        Schema variable = VariableScaleDecimal.optionalSchema();
        Struct oneFifty = new Struct(variable).put("scale", 3).put("value", new BigDecimal("1.500").unscaledValue().toByteArray());
        assertThat(hashOf(fixed, new BigDecimal("1.50"))).isEqualTo(hashOf(variable, oneFifty));
        assertThat(hashOf(fixed, new BigDecimal("1.56"))).isNotEqualTo(hashOf(optional(Decimal.builder(3)), new BigDecimal("1.555")));
    }

    @Test
    void shouldCompareVarcharExactlyWithoutTrimming() {
        Schema s = Schema.OPTIONAL_STRING_SCHEMA;
        assertThat(hashOf(s, "abc")).isNotEqualTo(hashOf(s, "abc "));
        assertThat(hashOf(s, "")).isNotEqualTo(hashOf(s, null));
        assertThat(hashOf(s, "naïve")).isEqualTo(hashOf(s, "naïve"));
    }

    @Test
    void shouldCompareByteaAsBytesFromBufferOrArray() {
        Schema b = Schema.OPTIONAL_BYTES_SCHEMA;
        assertThat(hashOf(b, ByteBuffer.wrap(new byte[] {1, 2, 3}))).isEqualTo(hashOf(b, new byte[] {1, 2, 3}));
        assertThat(hashOf(b, new byte[] {1, 2, 3})).isNotEqualTo(hashOf(b, new byte[] {1, 2}));
    }

    @Test
    void shouldCompareJsonbCanonically() {
        Schema j = optional(Json.builder());
        assertThat(hashOf(j, "{\"b\": 2, \"a\": [1, 2]}")).isEqualTo(hashOf(j, "{\"a\":[1,2],\"b\":2}"));
        assertThat(hashOf(j, "{\"a\": 1}")).isNotEqualTo(hashOf(j, "{\"a\": 2}"));
    }

    @Test
    void shouldCompareIntegersBooleansFloatsDatesTimesAndUuids() {
        assertThat(hashOf(Schema.OPTIONAL_INT16_SCHEMA, (short) 7)).isEqualTo(hashOf(Schema.OPTIONAL_INT64_SCHEMA, 7L));
        assertThat(hashOf(Schema.OPTIONAL_INT32_SCHEMA, 7)).isEqualTo(hashOf(Schema.OPTIONAL_INT64_SCHEMA, 7L));
        assertThat(hashOf(Schema.OPTIONAL_BOOLEAN_SCHEMA, true)).isNotEqualTo(hashOf(Schema.OPTIONAL_INT16_SCHEMA, (short) 1));
        assertThat(hashOf(Schema.OPTIONAL_FLOAT32_SCHEMA, 1.5f)).isEqualTo(hashOf(Schema.OPTIONAL_FLOAT64_SCHEMA, 1.5d));
        assertThat(hashOf(optional(Date.builder()), 19_000)).isNotEqualTo(hashOf(optional(Date.builder()), 19_001));
        assertThat(hashOf(optional(MicroTime.builder()), 3_600_000_000L)).isNotEqualTo(hashOf(Schema.OPTIONAL_INT64_SCHEMA, 3_600_000_000L));
        assertThat(hashOf(optional(Uuid.builder()), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .isEqualTo(hashOf(Schema.OPTIONAL_STRING_SCHEMA, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    }

    @Test
    void shouldMapEnvelopeFieldsOntoTheEvent() {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
        MappedRecord m = mapper.map(PgRecords.record("r", new Struct(row).put("id", 42L).put("name", "x"), "true"));
        assertThat(CanonicalReader.keyColumns(m.key())).isEqualTo(Map.of("id", 42L));
        assertThat(CanonicalReader.tableOf(m.key())).isEqualTo("public.t");
        RowChange rc = (RowChange) m.event();
        assertThat(rc.snapshot()).isTrue();
        assertThat(rc.op()).isEqualTo(RowChange.Op.UPSERT);
        assertThat(rc.commitMicros()).isEqualTo(1_700_000_000_123_456L);
        assertThat(rc.position()).isEqualTo("1/16B3748");
    }

    @Test
    void shouldMapDeletesWithoutAHashAndSkipTombstonesAndUncapturedTables() {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        MappedRecord d = mapper.map(PgRecords.record("d", new Struct(row).put("id", 1L), null));
        assertThat(((RowChange) d.event()).op()).isEqualTo(RowChange.Op.DELETE);
        assertThat(((RowChange) d.event()).hash()).isNull();
        assertThat(mapper.map(new SourceRecord(Map.of(), Map.of(), "shop.public.t", null, null, null, null, null))).isNull();
        RecordMapper none = new RecordMapper(Side.SOURCE, new TableMapping(Map.of()), "public.parity_heartbeat", PositionFormat.POSTGRES);
        assertThat(none.map(PgRecords.record("c", new Struct(row).put("id", 1L), null))).isNull();
    }

    @Test
    void shouldHashEqualRowsUnderDifferentKeysDifferently() {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("v", Schema.OPTIONAL_STRING_SCHEMA).build();
        Hash128 a = ((RowChange) mapper.map(PgRecords.record("c", new Struct(row).put("id", 1L).put("v", "same"), null)).event()).hash();
        Hash128 b = ((RowChange) mapper.map(PgRecords.record("c", new Struct(row).put("id", 2L).put("v", "same"), null)).event()).hash();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void shouldLeaveAColumnOnlyOneSideHasOutOfTheHashAndTheShape() {
        Schema narrow = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("v", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema wide = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("v", Schema.OPTIONAL_STRING_SCHEMA)
                .field("Locale", Schema.OPTIONAL_STRING_SCHEMA).build();
        RowChange source = (RowChange) mapper.map(PgRecords.record("u", new Struct(narrow).put("id", 1L).put("v", "same"), null)).event();
        RowChange before = (RowChange) mapper.map(PgRecords.record("u", new Struct(wide).put("id", 1L).put("v", "same").put("Locale", "en"), null)).event();
        assertThat(before.hash()).as("the extra column counts while both sides are thought to have it").isNotEqualTo(source.hash());
        assertThat(before.shape()).isNotEqualTo(source.shape());

        dev.parity.ingest.schema.OneSidedColumns oneSided = new dev.parity.ingest.schema.OneSidedColumns();
        oneSided.set("public.t", java.util.Set.of("locale"));
        mapper.oneSided(oneSided);
        RowChange target = (RowChange) mapper.map(PgRecords.record("u", new Struct(wide).put("id", 1L).put("v", "same").put("Locale", "fr"), null)).event();
        assertThat(target.hash()).as("compared over the shared columns, whatever the one-sided value").isEqualTo(source.hash());
        assertThat(target.shape()).isEqualTo(source.shape());
        RowChange differs = (RowChange) mapper.map(PgRecords.record("u", new Struct(wide).put("id", 1L).put("v", "other").put("Locale", "fr"), null)).event();
        assertThat(differs.hash()).as("a shared column still counts").isNotEqualTo(source.hash());
    }

    @Test
    void shouldTurnHeartbeatRowsIntoBroadcastHeartbeats() {
        Schema hb = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("seq", Schema.INT64_SCHEMA)
                .field("written_at_us", Schema.INT64_SCHEMA).field("fence_id", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct after = new Struct(hb).put("id", 1).put("seq", 77L).put("written_at_us", 123L).put("fence_id", "f-1");
        Struct value = new Struct(PgRecords.envelope(hb)).put("after", after).put("op", "u")
                .put("source", PgRecords.source("public", "parity_heartbeat", null));
        MappedRecord m = mapper.map(new SourceRecord(Map.of(), Map.of(), "x", null, null, null, value.schema(), value));
        assertThat(m.isBroadcast()).isTrue();
        assertThat(m.event()).isEqualTo(new Heartbeat(Side.SOURCE, 77, 123, 1_700_000_000_123_456L, "f-1"));
    }

    @Test
    void shouldTurnAChangeOfATableWithoutKeyIntoCopiesOfWholeRows() {
        RecordMapper bag = new RecordMapper(Side.TARGET, new TableMapping(Map.of("public.t", "public.t"), java.util.Set.of("public.t")),
                "public.parity_heartbeat", PositionFormat.POSTGRES);
        Schema row = SchemaBuilder.struct().optional().field("id", Schema.INT64_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct old = new Struct(row).put("id", 1L).put("name", "a");
        Struct now = new Struct(row).put("id", 1L).put("name", "b");
        Struct value = new Struct(PgRecords.envelope(row)).put("source", PgRecords.source("public", "t", null)).put("op", "u")
                .put("before", old).put("after", now);
        var events = bag.mapAll(new SourceRecord(Map.of(), Map.of(), "shop.public.t", null, null, null, value.schema(), value));
        assertThat(events).extracting(m -> CanonicalReader.keyColumns(m.key()) + " " + ((RowChange) m.event()).op())
                .containsExactly("{id=1, name=a} COPY_REMOVED", "{id=1, name=b} COPY_ADDED");
        assertThat(events).allSatisfy(m -> assertThat(CanonicalReader.isContentKey(m.key())).isTrue());
        Struct insert = new Struct(PgRecords.envelope(row)).put("source", PgRecords.source("public", "t", "true")).put("op", "r").put("after", old);
        assertThat(bag.mapAll(new SourceRecord(Map.of(), Map.of(), "shop.public.t", null, null, null, insert.schema(), insert)))
                .singleElement().satisfies(m -> {
                    assertThat(m.key()).isEqualTo(events.get(0).key()); // the same row, the same key, however it came
                    assertThat(((RowChange) m.event()).snapshot()).isTrue();
                });
    }

    @Test
    void shouldCompareAValueInAnUnexpectedFormAsItsTextRatherThanStopTheCapture() {
        Schema odd = SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build();
        assertThat(hashOf(odd, "not a timestamp")).isEqualTo(hashOf(odd, "not a timestamp")).isNotEqualTo(hashOf(odd, "another"));
    }
}
