package dev.parity.ingest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TypeFamily;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** The text parsing of the JDBC path; whole rows are compared with the Debezium path on real servers (SweepIT-style ITs). */
class JdbcValueReaderTest {
    @Test
    void shouldReadMySqlTimesBeyondOneDayAndNegative() {
        assertThat(JdbcValueReader.binlogTimeMicros("12:00:00")).isEqualTo(43_200_000_000L);
        assertThat(JdbcValueReader.binlogTimeMicros("838:59:59.5")).isEqualTo((838L * 3600 + 59 * 60 + 59) * 1_000_000L + 500_000L);
        assertThat(JdbcValueReader.binlogTimeMicros("-01:00:00.000001")).isEqualTo(-3_600_000_001L);
    }

    @Test
    void shouldReadDatetimeTextWithAnyFractionWithoutAZone() {
        assertThat(JdbcValueReader.micros(LocalDateTime.parse("2024-06-01 12:00:00.123456", JdbcValueReader.BINLOG_DATETIME)))
                .isEqualTo(JdbcValueReader.micros(LocalDateTime.of(2024, 6, 1, 12, 0, 0, 123_456_000)));
        assertThat(LocalDateTime.parse("2024-06-01 12:00:00", JdbcValueReader.BINLOG_DATETIME)).isEqualTo(LocalDateTime.of(2024, 6, 1, 12, 0));
    }

    @Test
    void shouldRefuseTypesWithoutAVerifiedReading() {
        ColumnInfo point = new ColumnInfo("p", "point", TypeFamily.GEOMETRY, null, null, null, true, null);
        ColumnInfo bit = new ColumnInfo("b", "bit(8)", TypeFamily.BITS, null, 8, null, true, null);
        ColumnInfo range = new ColumnInfo("r", "int4range", TypeFamily.OTHER, null, null, null, true, null);
        ColumnInfo box = new ColumnInfo("x", "box", TypeFamily.OTHER, null, null, null, true, null);
        ColumnInfo interval = new ColumnInfo("i", "interval", TypeFamily.OTHER, null, null, null, true, null);
        assertThat(JdbcValueReader.of(Engine.MARIADB, point)).as("read since TypesIT verified it").isNotNull();
        assertThat(JdbcValueReader.of(Engine.POSTGRESQL, point)).as("read since TypesIT verified it").isNotNull();
        assertThat(JdbcValueReader.of(Engine.MARIADB, bit)).as("read since TypesIT verified it").isNotNull();
        assertThat(JdbcValueReader.of(Engine.POSTGRESQL, range)).as("read since TypesIT verified it").isNotNull();
        assertThat(JdbcValueReader.of(Engine.POSTGRESQL, box)).isNull();
        assertThat(JdbcValueReader.of(Engine.POSTGRESQL, interval)).as("read since TypesIT verified it").isNotNull();
        var schema = new dev.parity.ingest.schema.TableSchema("public.t", java.util.List.of(range, box), java.util.List.of("r"), java.util.List.of(),
                java.util.List.of());
        var refused = TableScan.plan(Engine.POSTGRESQL, "public.t", "public.t", java.util.List.of("r"), schema, "public.parity_heartbeat", 10);
        assertThat(refused.problem()).isEqualTo("no verified reading of column type x box on postgresql");
        assertThat(refused.unreadable()).extracting(ColumnInfo::name).containsExactly("x");
        var notCompared = TableScan.plan(Engine.POSTGRESQL, "public.t", "public.t", java.util.List.of("r"), schema, "public.parity_heartbeat", 10,
                java.util.Map.of("x", dev.parity.reconciler.canonical.ColumnRule.NOT_COMPARED));
        assertThat(notCompared.problem()).as("a column taken out of comparison does not stop the scan").isNull();
        assertThat(notCompared.scan()).isNotNull();
    }

    @Test
    void shouldWriteBitsAsTheConnectorsDo() {
        // PostgreSQL: the rightmost character is bit 0; bytes little-endian up to the highest bit set
        assertThat(JdbcValueReader.bitStringBytes("000100000101")).containsExactly(0x05, 0x01);
        assertThat(JdbcValueReader.bitStringBytes("0000")).isEmpty();
        // MySQL/MariaDB: the driver's big-endian bytes, reversed
        assertThat(JdbcValueReader.littleEndian(new byte[] {0x01, 0x05})).containsExactly(0x05, 0x01);
    }
}
