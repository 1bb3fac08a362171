package dev.parity.ingest.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaComparisonTest {
    private static ColumnInfo col(String name, String type, TypeFamily f, Long len, Integer p, Integer s, boolean nullable) {
        return new ColumnInfo(name, type, f, len, p, s, nullable, null);
    }

    private static TableSchema table(ColumnInfo... cols) {
        return new TableSchema("shop.orders", List.of(cols), List.of("id"), List.of(), List.of());
    }

    private static final ColumnInfo ID = col("id", "bigint", TypeFamily.INTEGER, null, null, null, false);

    @Test
    void shouldFindNoDifferenceBetweenEquivalentColumnsAcrossEngines() {
        TableSchema maria = table(col("id", "bigint(20)", TypeFamily.INTEGER, null, null, null, false),
                col("big", "bigint(20) unsigned", TypeFamily.INTEGER, null, null, null, true),
                col("name", "varchar(50)", TypeFamily.STRING, 50L, null, null, true),
                col("at", "timestamp(6)", TypeFamily.TIMESTAMP, null, 6, null, true));
        TableSchema pg = table(col("id", "bigint", TypeFamily.INTEGER, null, null, null, false),
                col("big", "numeric(20,0)", TypeFamily.DECIMAL, null, 20, 0, true),
                col("name", "varchar(50)", TypeFamily.STRING, 50L, null, null, true),
                col("at", "timestamptz(6)", TypeFamily.TIMESTAMP, null, 6, null, true));
        assertThat(SchemaComparison.compare(maria, pg, t -> t, false)).isEmpty();
    }

    @Test
    void shouldFlagANarrowerTargetColumnAsATruncationRisk() {
        List<SchemaDifference> d = SchemaComparison.compare(table(ID, col("note", "varchar(200)", TypeFamily.STRING, 200L, null, null, true)),
                table(ID, col("note", "varchar(100)", TypeFamily.STRING, 100L, null, null, true)), t -> t, true);
        assertThat(d).singleElement().satisfies(x -> {
            assertThat(x.source()).isEqualTo("note varchar(200) NULL");
            assertThat(x.target()).isEqualTo("note varchar(100) NULL");
            assertThat(x.risk()).contains("truncated");
        });
    }

    @Test
    void shouldFlagNarrowerIntegersDecimalsAndFractionalSeconds() {
        assertThat(SchemaComparison.typeRisk(col("n", "int(11) unsigned", TypeFamily.INTEGER, null, null, null, true),
                col("n", "integer", TypeFamily.INTEGER, null, null, null, true))).contains("narrower integer");
        assertThat(SchemaComparison.typeRisk(col("n", "decimal(12,3)", TypeFamily.DECIMAL, null, 12, 3, true),
                col("n", "numeric(12,2)", TypeFamily.DECIMAL, null, 12, 2, true))).contains("rounded");
        assertThat(SchemaComparison.typeRisk(col("t", "datetime(6)", TypeFamily.DATETIME, null, 6, null, true),
                col("t", "timestamp(3)", TypeFamily.DATETIME, null, 3, null, true))).contains("fractional");
        assertThat(SchemaComparison.typeRisk(col("t", "datetime(6)", TypeFamily.DATETIME, null, 6, null, true),
                col("t", "timestamptz(6)", TypeFamily.TIMESTAMP, null, 6, null, true))).contains("types differ");
    }

    @Test
    void shouldReportExtraAndMissingColumnsKeysAndForeignKeys() {
        TableSchema s = new TableSchema("shop.orders", List.of(ID, col("a", "int", TypeFamily.INTEGER, null, null, null, true)), List.of("id"),
                List.of(List.of("a")), List.of("customer_id → shop.customers(id)"));
        TableSchema t = new TableSchema("public.orders", List.of(ID, col("b", "integer", TypeFamily.INTEGER, null, null, null, false)),
                List.of("id"), List.of(), List.of("customer_id → public.customers(id)"));
        List<SchemaDifference> d = SchemaComparison.compare(s, t, n -> n.replace("shop.", "public."), false);
        assertThat(d).extracting(SchemaDifference::aspect).containsExactly("column", "column", "unique key");
        assertThat(d.get(0).risk()).contains("missing on the target");
        assertThat(d.get(1).risk()).contains("NOT NULL without a default");
    }
}
