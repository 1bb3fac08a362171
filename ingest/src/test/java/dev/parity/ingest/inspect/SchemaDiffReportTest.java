package dev.parity.ingest.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.side.PlannedTable;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A watched table that disappears while Parity runs is reported, never silently dropped; a new one is named. */
class SchemaDiffReportTest {
    private static final PlannedTable ORDERS = new PlannedTable("shop.orders", "shop.orders", "public.orders", List.of("id"), null);

    private static SchemaDiff.Report report(Set<String> source, Set<String> target) {
        return new SchemaDiff.Report("source", "target", List.of(), List.of(), source, target, java.util.Map.of());
    }

    @Test
    void shouldSayWhichSideATableDisappearedFrom() {
        assertThat(report(Set.of("shop.orders"), Set.of("public.orders")).gone(ORDERS)).isNull();
        assertThat(report(Set.of(), Set.of("public.orders")).gone(ORDERS)).isEqualTo("no longer exists on the source (shop.orders)");
        assertThat(report(Set.of("shop.orders"), Set.of()).gone(ORDERS)).isEqualTo("no longer exists on the target (public.orders)");
    }

    @Test
    void shouldNameTablesTheFilterNamesThatAreNotWatchedAndWhatANewPlanWouldChange() {
        PlannedTable items = new PlannedTable("public.items", "public.items", "public.items", List.of("id"), null);
        SchemaDiff.Report r = new SchemaDiff.Report("source", "target", List.of(), List.of(), Set.of("shop.orders", "public.extra", "public.half"),
                Set.of("public.extra"), java.util.Map.of("shop.orders", false, "public.extra", true, "public.half", false));
        assertThat(r.unwatched(List.of(ORDERS, items))).containsExactly("public.extra", "public.half");
        // extra is on both sides: planned next; half is on the source only: reported, not re-planned; items is on neither: gone;
        // orders is on the source only: unverified (gone from the target), not re-planned.
        assertThat(r.planChanges(List.of(ORDERS, items))).containsExactly("public.extra (new)", "public.items (gone)");
        assertThat(r.planChanges(List.of(ORDERS, new PlannedTable("public.extra", "public.extra", "public.extra", List.of("id"), null)))).isEmpty();
    }
}
