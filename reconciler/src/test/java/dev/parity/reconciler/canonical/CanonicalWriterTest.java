package dev.parity.reconciler.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CanonicalWriterTest {

    private static byte[] value(Consumer<CanonicalWriter> write) {
        CanonicalWriter w = new CanonicalWriter();
        w.column("c");
        write.accept(w);
        return w.toByteArray();
    }

    @Test
    void shouldEncodeEqualDecimalsEquallyWhateverTheScale() {
        assertThat(value(w -> w.decimal(new BigDecimal("1.50")))).isEqualTo(value(w -> w.decimal(new BigDecimal("1.5"))));
        assertThat(value(w -> w.decimal(new BigDecimal("0.000")))).isEqualTo(value(w -> w.decimal(BigDecimal.ZERO)));
        assertThat(value(w -> w.decimal(new BigDecimal("100")))).isEqualTo(value(w -> w.decimal(new BigDecimal("1E+2"))));
    }

    @Test
    void shouldCompareExactNumbersByValueAcrossIntegerAndDecimalTypes() {
        assertThat(value(w -> w.decimal(new BigDecimal("5.00")))).isEqualTo(value(w -> w.integer(5)));
        assertThat(value(w -> w.decimal(new BigDecimal("18446744073709551615")))).isEqualTo(value(w -> w.unsignedInteger(-1L)));
        assertThat(value(w -> w.decimal(new BigDecimal("5.01")))).isNotEqualTo(value(w -> w.integer(5)));
    }

    @Test
    void shouldDistinguishDecimalsThatDifferInAnyDigit() {
        assertThat(value(w -> w.decimal(new BigDecimal("1.555")))).isNotEqualTo(value(w -> w.decimal(new BigDecimal("1.56"))));
    }

    @Test
    void shouldEncodeIntegersIndependentlyOfWidth() {
        assertThat(value(w -> w.integer(42L))).isEqualTo(value(w -> w.integer(BigInteger.valueOf(42))));
        assertThat(value(w -> w.unsignedInteger(7L))).isEqualTo(value(w -> w.integer(7L)));
    }

    @Test
    void shouldEncodeUnsignedBigintAboveLongRangeAsItsTrueValue() {
        long allOnes = -1L; // 18446744073709551615 as BIGINT UNSIGNED
        assertThat(value(w -> w.unsignedInteger(allOnes)))
                .isEqualTo(value(w -> w.integer(new BigInteger("18446744073709551615"))))
                .isNotEqualTo(value(w -> w.integer(-1L)));
    }

    @Test
    void shouldKeepNullDistinctFromEmptyString() {
        assertThat(value(CanonicalWriter::nullValue)).isNotEqualTo(value(w -> w.string("")));
    }

    @Test
    void shouldNotTrimOrFoldStrings() {
        assertThat(value(w -> w.string("abc"))).isNotEqualTo(value(w -> w.string("abc ")));
        assertThat(value(w -> w.string("abc"))).isNotEqualTo(value(w -> w.string("ABC")));
    }

    @Test
    void shouldTellInstantsFromLocalDateTimes() {
        assertThat(value(w -> w.timestamp(1_000_000L))).isNotEqualTo(value(w -> w.localDateTime(1_000_000L)));
    }

    @Test
    void shouldSeeAOneHourShiftInATimestamp() {
        long t = 1_700_000_000_000_000L;
        assertThat(value(w -> w.timestamp(t))).isNotEqualTo(value(w -> w.timestamp(t + 3_600_000_000L)));
    }

    @Test
    void shouldTagTypesSoEqualBitsOfDifferentTypesDiffer() {
        assertThat(value(w -> w.bool(true))).isNotEqualTo(value(w -> w.integer(1)));
        assertThat(value(w -> w.floating(1.0))).isNotEqualTo(value(w -> w.integer(1)));
        assertThat(value(w -> w.string("AQ=="))).isNotEqualTo(value(w -> w.bytes(new byte[] {1})));
    }

    @Test
    void shouldCanonicaliseJsonKeyOrderWhitespaceAndNumbers() {
        assertThat(value(w -> w.json("{\"b\": 1.50, \"a\": [1, {\"y\":true,\"x\":null}]}")))
                .isEqualTo(value(w -> w.json("{\"a\":[1,{\"x\":null,\"y\":true}],\"b\":1.5}")));
        assertThat(CanonicalJson.canonicalize("{ \"b\" : 2, \"a\" : \"x\" }")).isEqualTo("{\"a\":\"x\",\"b\":2}");
        assertThat(value(w -> w.json("{\"a\":1}"))).isNotEqualTo(value(w -> w.json("{\"a\":\"1\"}")));
    }

    @Test
    void shouldWidenFloatsExactly() {
        assertThat(value(w -> w.floating(1.5f))).isEqualTo(value(w -> w.floating(1.5d)));
        assertThat(value(w -> w.floating(0.1f))).isNotEqualTo(value(w -> w.floating(0.1d)));
    }

    @Test
    void shouldRefuseColumnsOutOfOrder() {
        CanonicalWriter w = new CanonicalWriter().table("t");
        w.column("b").integer(1);
        assertThatThrownBy(() -> w.column("a")).isInstanceOf(IllegalStateException.class).hasMessageContaining("'b' then 'a'");
    }

    @Test
    void shouldDecodeKeysForDisplay() {
        byte[] key = new CanonicalWriter().table("public.orders")
                .column("id").integer(42)
                .column("region").string("eu")
                .toByteArray();
        assertThat(CanonicalReader.tableOf(key)).isEqualTo("public.orders");
        assertThat(CanonicalReader.keyColumns(key)).isEqualTo(Map.of("id", 42L, "region", "eu"));
    }

    @Test
    void shouldDecodeTemporalKeysAsIsoText() {
        byte[] key = new CanonicalWriter().table("t")
                .column("d").date(19_000)
                .column("ts").timestamp(1_000_001L)
                .toByteArray();
        assertThat(CanonicalReader.keyColumns(key)).containsEntry("d", "2022-01-08").containsEntry("ts", "1970-01-01T00:00:01.000001Z");
    }
}
