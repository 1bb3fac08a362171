package dev.parity.ingest.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeenKeysTest {
    @Test
    void shouldAnswerExactlyWhileSmall() {
        SeenKeys seen = new SeenKeys(0, 1_000);
        for (long k = 0; k < 1_000; k++) {
            seen.add(k * 7919);
        }
        assertThat(seen.exact()).isTrue();
        assertThat(seen.mightContain(7919 * 500)).isTrue();
        assertThat(seen.mightContain(7919 * 500 + 1)).isFalse();
    }

    @Test
    void shouldNeverForgetAKeyAndRarelyClaimOneOnceItIsAFilter() {
        SeenKeys seen = new SeenKeys(200_000, 1_000);
        SplittableRandom r = new SplittableRandom(7);
        long[] added = new long[200_000];
        for (int i = 0; i < added.length; i++) {
            added[i] = r.nextLong();
            seen.add(added[i]);
        }
        assertThat(seen.exact()).isFalse();
        for (long k : added) {
            assertThat(seen.mightContain(k)).isTrue(); // a missing row is never reported for a row that was read
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (seen.mightContain(r.nextLong())) {
                falsePositives++;
            }
        }
        assertThat(falsePositives).as("false positives per 100,000").isLessThan(2_000);
    }
}
