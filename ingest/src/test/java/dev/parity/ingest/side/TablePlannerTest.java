package dev.parity.ingest.side;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.TableInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TablePlannerTest {
    private static final List<TableInfo> PG = List.of(new TableInfo("public", "orders", List.of("id")),
            new TableInfo("public", "customers", List.of("id")), new TableInfo("public", "parity_heartbeat", List.of("id")));

    private static List<PlannedTable> plan(Map<String, String> map, List<TableInfo> source) {
        return TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), map), "shop.parity_heartbeat", source, PG);
    }

    @Test
    void shouldMapAMySqlDatabaseToAPostgresSchemaAndKeepTheSourceNameAsTheId() {
        List<PlannedTable> p = plan(Map.of("shop.*", "public.*"), List.of(new TableInfo("shop", "orders", List.of("id")),
                new TableInfo("shop", "parity_heartbeat", List.of("id"))));
        assertThat(p).singleElement().satisfies(t -> {
            assertThat(t.mappedId()).isEqualTo("shop.orders");
            assertThat(t.targetName()).isEqualTo("public.orders");
            assertThat(t.captured()).isTrue();
        });
    }

    @Test
    void shouldPreferAnExactEntryAndMatchNamesThatDifferOnlyByCase() {
        List<PlannedTable> p = plan(Map.of("shop.Orders", "public.customers"), List.of(new TableInfo("shop", "Orders", List.of("id"))));
        assertThat(p.get(0).targetName()).isEqualTo("public.customers");
        assertThat(plan(Map.of(), List.of(new TableInfo("PUBLIC", "Orders", List.of("id")))).get(0).targetName()).isEqualTo("public.orders");
    }

    @Test
    void shouldListUnkeyedMissingAndDifferentlyKeyedTablesWithTheirReason() {
        List<PlannedTable> p = plan(Map.of("shop.*", "public.*"), List.of(new TableInfo("shop", "log", List.of()),
                new TableInfo("shop", "gone", List.of("id")), new TableInfo("shop", "customers", List.of("id", "region"))));
        assertThat(p).extracting(PlannedTable::problem).allSatisfy(r -> assertThat(r).isNotNull());
        assertThat(p.get(0).problem()).contains("missing on the target (public.log)");
        assertThat(TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), Map.of()), "public.parity_heartbeat",
                List.of(new TableInfo("public", "orders", List.of())), PG).get(0).problem())
                .contains("no primary key or unique index over NOT NULL columns on the source, but primary key (id) on the target");
        assertThat(p.get(1).problem()).contains("missing on the target (public.gone)");
        assertThat(p.get(2).problem()).contains("primary keys differ");
    }

    @Test
    void shouldKeyATableWithoutPrimaryKeyByAUniqueNotNullIndexOnBothSides() {
        TableInfo source = TableInfo.choose("shop", "events", List.of(), Map.of("ev_code_uq", List.of("code", "n"), "ev_wide_uq", List.of("a", "b", "c")), null);
        assertThat(source.key()).containsExactly("code", "n");
        assertThat(source.keyedByIndex()).isTrue();
        assertThat(source.keyDescription()).isEqualTo("unique index ev_code_uq (code, n)");
        TableInfo samePrimary = new TableInfo("public", "events", List.of("N", "Code"));
        assertThat(TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), Map.of("shop.*", "public.*")), "shop.parity_heartbeat",
                List.of(source), List.of(samePrimary))).singleElement().satisfies(t -> {
            assertThat(t.captured()).isTrue();
            assertThat(t.key()).containsExactly("code", "n");
        });
        TableInfo otherIndex = TableInfo.choose("public", "events", List.of(), Map.of("ev_id_uq", List.of("id")), null);
        assertThat(TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), Map.of("shop.*", "public.*")), "shop.parity_heartbeat",
                List.of(source), List.of(otherIndex)).get(0).problem())
                .isEqualTo("primary keys differ: source unique index ev_code_uq (code, n), target unique index ev_id_uq (id)");
    }

    @Test
    void shouldNotCaptureATableASideCannotPublish() {
        TableInfo noIdentity = new TableInfo("public", "orders", List.of("id"), "orders_id_uq", "it has no replica identity");
        assertThat(TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), Map.of()), "public.parity_heartbeat",
                List.of(new TableInfo("public", "orders", List.of("id"))), List.of(noIdentity)).get(0).problem())
                .isEqualTo("on the target, it has no replica identity");
        assertThat(TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), Map.of()), "public.parity_heartbeat",
                List.of(noIdentity), PG).get(0).problem()).isEqualTo("on the source, it has no replica identity");
    }

    @Test
    void shouldCompareATableWithoutKeyOnEitherSideByContent() {
        List<PlannedTable> p = TablePlanner.plan(new IngestConfig.Tables(List.of("*"), List.of(), Map.of()), "public.parity_heartbeat",
                List.of(new TableInfo("public", "history", List.of())), List.of(new TableInfo("public", "history", List.of())));
        assertThat(p).singleElement().satisfies(t -> {
            assertThat(t.captured()).isTrue();
            assertThat(t.byContent()).isTrue();
            assertThat(t.key()).isEmpty();
        });
    }

    @Test
    void shouldSayWhichColumnRulesApplyToNothing() {
        var rule = new dev.parity.reconciler.canonical.ColumnRule(true, null, null);
        var tables = new IngestConfig.Tables(List.of("*"), List.of(), Map.of(),
                Map.of("shop.orders", Map.of("code", rule, "cdoe", rule), "shop.gone", Map.of("x", rule)));
        assertThat(TablePlanner.unusedColumnRules(tables, Map.of("shop.orders", java.util.Set.of("id", "code")))).containsExactlyInAnyOrder(
                "tables.columns.shop.orders.cdoe: shop.orders has no column cdoe on the source: the rule applies to nothing",
                "tables.columns.shop.gone.x: no watched table shop.gone: the rule applies to nothing");
    }
}
