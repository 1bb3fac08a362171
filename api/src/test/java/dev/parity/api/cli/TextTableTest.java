package dev.parity.api.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void shouldAlignColumnsToTheirWidestCellWithNumbersOnTheRight() {
        String out = new TextTable("TABLE", "STATE", "ROWS", "CHUNKS")
                .row("public.orders", "IN_SYNC", "12000", "1024/1024")
                .row("shop.x", "DIVERGENT", "7", "3/1024")
                .render(false);
        assertThat(out).isEqualTo("""
                TABLE          STATE       ROWS     CHUNKS
                public.orders  IN_SYNC    12000  1024/1024
                shop.x         DIVERGENT      7     3/1024
                """);
    }

    @Test
    void shouldColourStateWordsOnlyWhenAskedWithoutMovingTheColumns() {
        TextTable t = new TextTable("TABLE", "STATE", "N").row("a", "DIVERGENT", "1").row("b", "IN_SYNC", "2");
        String coloured = t.render(true);
        assertThat(coloured).contains("\u001b[31mDIVERGENT\u001b[0m", "\u001b[32mIN_SYNC\u001b[0m");
        assertThat(coloured.replaceAll("\u001b\\[[0-9]+m", "")).isEqualTo(t.render(false));
        assertThat(t.render(false)).doesNotContain("\u001b");
    }

    @Test
    void shouldRefuseARowOfTheWrongWidth() {
        assertThatThrownBy(() -> new TextTable("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
