package dev.parity.reconciler.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.canonical.CanonicalValue;
import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.canonical.LogicalType;
import dev.parity.reconciler.rules.ColumnDiff.Cause;
import dev.parity.reconciler.rules.ColumnDiff.ColumnShape;
import dev.parity.reconciler.rules.ColumnDiff.Finding;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColumnDiffTest {
    private static CanonicalValue str(String s) {
        return new CanonicalValue(LogicalType.STRING, s);
    }

    private static CanonicalValue ts(String instant) {
        Instant i = Instant.parse(instant);
        return new CanonicalValue(LogicalType.TIMESTAMP, i.getEpochSecond() * 1_000_000L + i.getNano() / 1000);
    }

    private static CanonicalValue dec(String d) {
        BigDecimal b = new BigDecimal(d).stripTrailingZeros();
        return b.scale() <= 0 ? new CanonicalValue(LogicalType.INTEGER, b.longValueExact()) : new CanonicalValue(LogicalType.DECIMAL, b);
    }

    private static Finding one(CanonicalValue s, CanonicalValue t, ColumnShape shape) {
        return ColumnDiff.classify("c", s, t, shape);
    }

    @Test
    void shouldCallAWholeMinuteShiftOfTheSameInstantATimeShiftWithItsOffset() {
        Finding f = one(ts("2026-02-01T00:50:00Z"), ts("2026-02-01T01:50:00Z"), null);
        assertThat(f.cause()).isEqualTo(Cause.TIME_SHIFT);
        assertThat(f.detail()).isEqualTo("+3600 s");
        assertThat(one(ts("2026-02-01T00:50:00Z"), ts("2026-02-01T00:20:00Z"), null).detail()).isEqualTo("-1800 s");
        assertThat(one(ts("2026-02-01T00:50:00Z"), ts("2026-02-01T00:50:07Z"), null).cause()).as("not whole minutes").isEqualTo(Cause.OTHER);
        assertThat(one(ts("2026-02-01T00:50:00Z"), ts("2026-02-05T00:50:00Z"), null).cause()).as("days apart: no zone does that").isEqualTo(Cause.OTHER);
    }

    @Test
    void shouldCallAProperPrefixTruncatedWithBothLengthsAndTheDeclaredOne() {
        Finding f = one(str("a rather long note"), str("a rather"), new ColumnShape("varchar(8)", 8L, null));
        assertThat(f.cause()).isEqualTo(Cause.TRUNCATED);
        assertThat(f.detail()).isEqualTo("source 18 chars, target 8; the target column holds 8");
    }

    @Test
    void shouldCallTheSourceRoundedToTheTargetsScaleRounded() {
        assertThat(one(dec("12.345"), dec("12.35"), new ColumnShape("decimal(10,2)", null, 2)).detail()).isEqualTo("to 2 decimal places, the target's scale");
        assertThat(one(dec("12.345"), dec("12.3"), null).cause()).isEqualTo(Cause.ROUNDED);
        assertThat(one(dec("12.34"), dec("12.3"), new ColumnShape("numeric(12,2)", null, 2)).detail())
                .as("a scale wide enough did not do it").isEqualTo("to 1 decimal place");
        assertThat(one(dec("12.345"), dec("12.34"), null).detail()).contains("cut, not rounded");
        assertThat(one(dec("12.5"), dec("13"), null).detail()).isEqualTo("to 0 decimal places");
        assertThat(one(dec("12.345"), dec("12.44"), null).cause()).isEqualTo(Cause.OTHER);
        double d = 0.1;
        assertThat(one(new CanonicalValue(LogicalType.FLOAT, d), new CanonicalValue(LogicalType.FLOAT, (double) (float) d), null).detail())
                .isEqualTo("to single precision (float4)");
    }

    @Test
    void shouldCallUtf8ReadAsLatin1AnEncodingMistakeEitherWay() {
        String s = "Crème brûlée – 5 €";
        String mojibake = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(one(str(s), str(mojibake), null)).extracting(Finding::cause, Finding::detail)
                .containsExactly(Cause.ENCODING, "target is the source's UTF-8 read as Latin-1 (double-encoded)");
        assertThat(one(str(mojibake), str(s), null).detail()).startsWith("source is the target's");
        String cp = new String(s.getBytes(StandardCharsets.UTF_8), java.nio.charset.Charset.forName("windows-1252"));
        assertThat(one(str(s), str(cp), null).detail()).contains("Windows-1252");
    }

    @Test
    void shouldTellPaddingCaseAndNullFromEmpty() {
        assertThat(one(str("abc"), str("abc   "), null)).extracting(Finding::cause, Finding::detail)
                .containsExactly(Cause.PADDING, "trailing spaces: source 0, target 3");
        assertThat(one(str("Straße"), str("straße"), null).cause()).isEqualTo(Cause.CASE);
        assertThat(one(CanonicalValue.NULL, str(""), null).detail()).isEqualTo("source NULL, target ''");
        assertThat(one(str(""), CanonicalValue.NULL, null).cause()).isEqualTo(Cause.NULL_VS_EMPTY);
        assertThat(one(str("abc"), str("xyz"), null).cause()).isEqualTo(Cause.OTHER);
        assertThat(one(str("12"), dec("12"), null).detail()).isEqualTo("source string, target integer");
    }

    @Test
    void shouldListExactlyTheColumnsWhoseCanonicalValuesDifferFromDecodedRows() {
        byte[] source = new CanonicalWriter().table("shop.orders").column("id").integer(7).beginRow()
                .column("id").integer(7).column("note").string("ok").column("paid_at").timestamp(1_000_000L * 3600).toByteArray();
        byte[] target = new CanonicalWriter().table("shop.orders").column("id").integer(7).beginRow()
                .column("id").integer(7).column("note").string("ok").column("paid_at").timestamp(1_000_000L * 7200).toByteArray();
        Map<String, CanonicalValue> s = CanonicalReader.rowValues(source);
        Map<String, CanonicalValue> t = CanonicalReader.rowValues(target);
        assertThat(s.keySet()).containsExactly("id", "note", "paid_at");
        List<Finding> diff = ColumnDiff.diff(s, t, Map.of());
        assertThat(diff).extracting(Finding::column, Finding::cause, Finding::detail).containsExactly(
                org.assertj.core.groups.Tuple.tuple("paid_at", Cause.TIME_SHIFT, "+3600 s"));
        assertThat(diff.get(0).source().display()).isEqualTo("1970-01-01T01:00:00Z");
        Map<String, CanonicalValue> extra = new LinkedHashMap<>(t);
        extra.put("added", str("x"));
        assertThat(ColumnDiff.diff(s, extra, Map.of())).extracting(Finding::column).containsExactly("added", "paid_at");
        assertThat(ColumnDiff.rowCause(ColumnDiff.diff(s, extra, Map.of()))).isEqualTo("MIXED");
    }

    @Test
    void shouldKeepOnlyThePrefixAndLengthOfABigValueInAKeptFinding() {
        String big = "x".repeat(10_000_000);
        Finding f = ColumnDiff.diff(Map.of("payload", str(big)), Map.of("payload", str(big + "y")), Map.of()).get(0);
        Finding kept = f.bounded(4096);
        assertThat(kept.cause()).isEqualTo(f.cause());
        assertThat(kept.detail()).isEqualTo(f.detail());
        assertThat((String) kept.source().value()).hasSize(4096 + " (10000000 characters in all)".length() + 1).endsWith("(10000000 characters in all)");
        assertThat((String) kept.target().value()).endsWith("(10000001 characters in all)");
        CanonicalValue bytes = new CanonicalValue(LogicalType.BYTES, new byte[5000]);
        Finding binary = new Finding("b", bytes, CanonicalValue.NULL, Cause.OTHER, "").bounded(16);
        assertThat(binary.source().value()).isEqualTo("0x" + "00".repeat(8) + "… (5000 bytes in all)");
        assertThat(binary.target()).isEqualTo(CanonicalValue.NULL);
        Finding small = ColumnDiff.diff(Map.of("v", str("a")), Map.of("v", str("b")), Map.of()).get(0);
        assertThat(small.bounded(4096)).isSameAs(small);
    }
}
