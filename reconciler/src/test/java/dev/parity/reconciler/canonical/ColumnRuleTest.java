package dev.parity.reconciler.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Opt-in column rules loosen exactly what they name, on whichever side writes the value. */
class ColumnRuleTest {
    private static byte[] row(Map<String, ColumnRule> rules, String code, double score, long localMicros) {
        return new CanonicalWriter().table("shop.items").rules(rules).beginRow().column("at").localDateTime(localMicros).column("code").string(code)
                .column("score").floating(score).toByteArray();
    }

    @Test
    void shouldCompareOnlyWhatTheRulesLoosen() {
        long local = 1_709_280_000_000_000L; // 2024-03-01T08:00 as a local date-time
        long berlinAsUtc = local - 3_600_000_000L; // 08:00 in Berlin (UTC+1 in March) is 07:00 UTC
        assertThat(row(Map.of(), "ab      ", 0.1 + 0.2, local)).as("no rules: exact").isNotEqualTo(row(Map.of(), "ab", 0.3, local));
        Map<String, ColumnRule> rules = Map.of("code", new ColumnRule(true, null, null), "score", new ColumnRule(false, 12, null));
        assertThat(row(rules, "ab      ", 0.1 + 0.2, local)).isEqualTo(row(rules, "ab", 0.3, local));
        assertThat(row(rules, "ab", 0.3, local)).as("still a difference").isNotEqualTo(row(rules, "abc", 0.3, local));
        assertThat(row(rules, " ab", 0.3, local)).as("leading spaces count").isNotEqualTo(row(rules, "ab", 0.3, local));
        assertThat(row(rules, "ab", 0.30001, local)).isNotEqualTo(row(rules, "ab", 0.3, local));
        ColumnRule berlin = new ColumnRule(false, null, ZoneId.of("Europe/Berlin"));
        byte[] asInstant = new CanonicalWriter().table("shop.items").beginRow().column("at").timestamp(berlinAsUtc).toByteArray();
        assertThat(new CanonicalWriter().table("shop.items").rules(Map.of("at", berlin)).beginRow().column("at").localDateTime(local).toByteArray())
                .isEqualTo(asInstant);
    }

    @Test
    void shouldDropTheValuesOfAColumnNotComparedButNeverAKeyColumn() {
        Map<String, ColumnRule> rules = Map.of("id", ColumnRule.NOT_COMPARED, "shape", ColumnRule.NOT_COMPARED);
        java.util.function.BiFunction<Long, Object, byte[]> row = (id, shape) -> {
            CanonicalWriter w = new CanonicalWriter().table("t").rules(rules).column("id").integer(id).beginRow().column("id").integer(id).column("n")
                    .integer(1).column("shape");
            if (shape == null) {
                w.nullValue();
            } else if (shape instanceof byte[] b) {
                w.bytes(b);
            } else {
                w.json(shape.toString());
            }
            return w.column("z").string("after").toByteArray();
        };
        assertThat(row.apply(1L, new byte[] {1, 2})).as("any value of the column, any type, and NULL").isEqualTo(row.apply(1L, null))
                .isEqualTo(row.apply(1L, "{\"a\": 1}"));
        assertThat(row.apply(1L, null)).as("a key column is still compared in the key").isNotEqualTo(row.apply(2L, null));
        byte[] exact = new CanonicalWriter().table("t").beginRow().column("n").integer(1).column("shape").bytes(new byte[] {1}).toByteArray();
        byte[] other = new CanonicalWriter().table("t").beginRow().column("n").integer(1).column("shape").bytes(new byte[] {2}).toByteArray();
        assertThat(exact).as("without the rule the column counts").isNotEqualTo(other);
    }
}
