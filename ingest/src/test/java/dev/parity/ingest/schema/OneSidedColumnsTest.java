package dev.parity.ingest.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OneSidedColumnsTest {
    private static ColumnInfo column(String name) {
        return new ColumnInfo(name, "varchar(10)", TypeFamily.STRING, 10L, null, null, true, null);
    }

    private static TableSchema table(List<String> key, String... columns) {
        return new TableSchema("shop.t", java.util.Arrays.stream(columns).map(OneSidedColumnsTest::column).toList(), key, List.of(), List.of());
    }

    @Test
    void shouldNameTheColumnsEitherSideLacksButNeverAKeyColumn() {
        TableSchema source = table(List.of("id"), "id", "name", "legacy");
        TableSchema target = table(List.of("id", "tenant"), "id", "tenant", "name", "locale");
        assertThat(OneSidedColumns.between(source, target)).containsExactly("legacy", "locale");
        assertThat(OneSidedColumns.between(source, source)).isEmpty();
    }

    @Test
    void shouldSayWhenATablesOneSidedColumnsChanged() {
        OneSidedColumns r = new OneSidedColumns();
        assertThat(r.of("shop.t")).isEmpty();
        assertThat(r.set("shop.t", Set.of("locale"))).isTrue();
        assertThat(r.set("shop.t", Set.of("locale"))).as("unchanged").isFalse();
        assertThat(r.of("shop.t")).containsExactly("locale");
        assertThat(r.set("shop.t", Set.of())).isTrue();
        assertThat(r.all()).isEmpty();
    }

    @Test
    void shouldLeaveOneSidedColumnsOutOfAStructure() {
        TableSchema t = table(List.of("id"), "id", "name", "locale");
        assertThat(t.without(Set.of("locale")).columns()).extracting(ColumnInfo::name).containsExactly("id", "name");
        assertThat(t.without(Set.of())).isSameAs(t);
    }
}
