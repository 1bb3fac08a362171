package dev.parity.ingest.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadProgressTest {
    @TempDir
    Path dir;

    @Test
    void shouldGiveBackEveryKeyValueItResumesAfterExactlyAndOfItsType() {
        Object[] key = {42, 7_000_000_000L, (short) 3, new BigInteger("18446744073709551615"), new BigDecimal("12.3400"), "a,b\tc:ü",
                UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), new byte[] {0, -1, 44}, java.sql.Date.valueOf("2024-02-29"),
                LocalDate.of(1999, 12, 31), LocalDateTime.of(2024, 1, 2, 3, 4, 5, 6_000), LocalTime.of(23, 59, 58, 1_000)};
        Object[] back = LoadProgress.decode(LoadProgress.encode(key));
        assertThat(back).hasSameSizeAs(key);
        for (int i = 0; i < key.length; i++) {
            assertThat(back[i]).as("value %d", i).isInstanceOf(key[i].getClass()).isEqualTo(key[i]);
        }
        assertThat(((BigDecimal) back[4]).scale()).isEqualTo(4);
    }

    @Test
    void shouldKeepNoResumePointForAKeyWithoutExactText() throws Exception {
        Object[] zoned = {1, java.sql.Timestamp.from(Instant.parse("2024-01-01T00:00:00Z"))};
        assertThat(LoadProgress.encode(zoned)).isNull();
        LoadProgress p = LoadProgress.beside(dir.resolve("initial-load.pending"));
        assertThat(p.record(LoadProgress.Entry.at("public.t", 1, 10, 10, zoned))).isFalse();
        assertThat(p.of("public.t")).isNull();
        assertThat(dir.resolve(LoadProgress.FILE)).doesNotExist();
    }

    @Test
    void shouldReadBackWhatAnEarlierRunRecordedAndForgetItWhenCleared() throws Exception {
        Path pending = dir.resolve("initial-load.pending");
        LoadProgress first = LoadProgress.beside(pending);
        Instant at = Instant.parse("2026-12-07T10:00:00.123Z");
        assertThat(first.record(LoadProgress.Entry.done("public.small", 300, 299, at))).isTrue();
        assertThat(first.record(LoadProgress.Entry.at("public.big", 1, 5_000, 4_990, new Object[] {5_000L}))).isTrue();
        assertThat(first.record(LoadProgress.Entry.at("shop.\"odd\tname\"", 2, 7, 8, new Object[] {"k", 3}))).isTrue();
        assertThat(first.record(LoadProgress.Entry.at("public.big", 1, 6_000, 5_990, new Object[] {6_000L}))).isTrue();

        LoadProgress again = LoadProgress.beside(pending);
        LoadProgress.Entry small = again.of("public.small");
        assertThat(small.done()).isTrue();
        assertThat(small.doneAt()).isEqualTo(at);
        assertThat(small.sourceRows()).isEqualTo(300);
        assertThat(small.targetRows()).isEqualTo(299);
        LoadProgress.Entry big = again.of("public.big");
        assertThat(big.done()).isFalse();
        assertThat(big.pass()).isEqualTo(1);
        assertThat(big.sourceRows()).isEqualTo(6_000);
        assertThat(big.after()).containsExactly(6_000L);
        assertThat(again.of("shop.\"odd\tname\"").after()).containsExactly("k", 3);
        assertThat(again.of("shop.\"odd\tname\"").pass()).isEqualTo(2);

        LoadProgress.clear(pending);
        assertThat(LoadProgress.beside(pending).of("public.big")).isNull();
    }

    @Test
    void shouldReadEveryTableAgainWhenTheFileIsDamaged() throws Exception {
        Path pending = dir.resolve("initial-load.pending");
        Files.writeString(dir.resolve(LoadProgress.FILE), "cHVibGljLnQ=\t1\t10\n");
        assertThat(LoadProgress.beside(pending).of("public.t")).isNull();
    }
}
