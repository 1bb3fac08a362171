package dev.parity.ingest.debezium;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** Builds change records shaped as Debezium's PostgreSQL connector emits them (envelope, source block, key). */
final class PgRecords {
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA).build();

    private PgRecords() {
    }

    static Schema envelope(Schema row) {
        return SchemaBuilder.struct().name("shop.public.t.Envelope")
                .field("before", row).field("after", row).field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();
    }

    static Struct source(String schema, String table, String snapshot) {
        return new Struct(SOURCE).put("schema", schema).put("table", table).put("ts_ms", 1_700_000_000_123L)
                .put("ts_us", 1_700_000_000_123_456L).put("snapshot", snapshot).put("lsn", (1L << 32) | 0x16B3748L);
    }

    /** A record of {@code op} on public.t keyed by {@code id} (an INT8 column of {@code row}). */
    static SourceRecord record(String op, Struct row, String snapshot) {
        Schema rowSchema = row.schema();
        Schema keySchema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        Struct key = new Struct(keySchema).put("id", row.get("id"));
        Struct value = new Struct(envelope(rowSchema)).put("source", source("public", "t", snapshot)).put("op", op);
        if (op.equals("d")) {
            value.put("before", row);
        } else {
            value.put("after", row);
        }
        return new SourceRecord(Map.of(), Map.of(), "shop.public.t", null, keySchema, key, value.schema(), value);
    }
}
