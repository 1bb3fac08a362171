package dev.parity.reconciler.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Hash128Test {
    private static final BigInteger MOD = BigInteger.ONE.shiftLeft(128);

    private static BigInteger big(Hash128 h) {
        return new BigInteger(1, java.nio.ByteBuffer.allocate(16).putLong(h.hi()).putLong(h.lo()).array());
    }

    @Test
    void shouldAddAndSubtractModulo2To128IncludingCarries() {
        Random r = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            Hash128 a = new Hash128(r.nextLong(), i % 3 == 0 ? -1L : r.nextLong());
            Hash128 b = new Hash128(r.nextLong(), i % 5 == 0 ? -1L : r.nextLong());
            assertThat(big(a.plus(b))).isEqualTo(big(a).add(big(b)).mod(MOD));
            assertThat(big(a.minus(b))).isEqualTo(big(a).subtract(big(b)).mod(MOD));
            assertThat(a.plus(b).minus(b)).isEqualTo(a);
        }
    }

    @Test
    void shouldMakeDigestUpdatesOrderIndependent() {
        Hash128 h1 = new Hash128(1, -1);
        Hash128 h2 = new Hash128(-5, 3);
        Hash128 h3 = new Hash128(9, 9);
        Digest a = Digest.EMPTY.apply(null, h1).apply(null, h2).apply(h1, h3);
        Digest b = Digest.EMPTY.apply(null, h2).apply(null, h3);
        assertThat(a).isEqualTo(b);
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.apply(h2, null).apply(h3, null)).isEqualTo(Digest.EMPTY);
    }

    @Test
    void shouldPlaceKeysInChunksByTopBitsAndChunksInPartitions() {
        Chunking c = new Chunking(10);
        byte[] key = "k".getBytes();
        int chunk = c.chunkOf(key);
        assertThat(chunk).isBetween(0, 1023).isEqualTo((int) (RowHashing.keyHash(key) >>> 54));
        assertThat(c.partitionOf(key, 4)).isEqualTo(chunk % 4);
        assertThat(new Chunking(0).chunkOf(key)).isZero();
    }
}
