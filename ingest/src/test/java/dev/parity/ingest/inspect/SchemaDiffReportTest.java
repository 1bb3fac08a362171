package dev.parity.ingest.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.side.PlannedTable;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A watched table that disappears while Parity runs is reported, never silently dropped. */
class SchemaDiffReportTest {
    private static final PlannedTable ORDERS = new PlannedTable("shop.orders", "shop.orders", "public.orders", List.of("id"), null);

    private static SchemaDiff.Report report(Set<String> source, Set<String> target) {
        return new SchemaDiff.Report("source", "target", List.of(), List.of(), source, target);
    }

    @Test
    void shouldSayWhichSideATableDisappearedFrom() {
        assertThat(report(Set.of("shop.orders"), Set.of("public.orders")).gone(ORDERS)).isNull();
        assertThat(report(Set.of(), Set.of("public.orders")).gone(ORDERS)).isEqualTo("no longer exists on the source (shop.orders)");
        assertThat(report(Set.of("shop.orders"), Set.of()).gone(ORDERS)).isEqualTo("no longer exists on the target (public.orders)");
    }
}
