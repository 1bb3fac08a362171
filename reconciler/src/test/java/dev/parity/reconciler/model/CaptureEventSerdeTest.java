package dev.parity.reconciler.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.canonical.ByteSink;
import org.junit.jupiter.api.Test;

/** The wire format of capture events: every kind round-trips, and records of the first version still decode. */
class CaptureEventSerdeTest {
    private static final Hash128 H = new Hash128(0x1234_5678_9ABC_DEF0L, -42);

    @Test
    void shouldRoundTripEveryKindWithRowShapes() {
        for (CaptureEvent e : new CaptureEvent[] {RowChange.upsert(Side.SOURCE, H, 1_700_000_000_000_000L, "0/16B3748", false, -7),
                RowChange.upsert(Side.TARGET, H, 5, "bin.000001:4", true, Integer.MAX_VALUE), RowChange.delete(Side.TARGET, 9, "lsn"),
                RowChange.copy(Side.SOURCE, -1, 3, "lsn", false), RowChange.copy(Side.TARGET, 1, 3, "lsn", true),
                new Observation(Side.TARGET, H, 4, 6, 77, Integer.MIN_VALUE), new Observation(Side.SOURCE, null, 4, 4, 77),
                new Truncate(Side.TARGET, "public.orders", 8, "0/AB"), new Heartbeat(Side.SOURCE, 12, 13, 14, "fence-1")}) {
            assertThat(CaptureEventSerde.decode(CaptureEventSerde.encode(e))).as(e.toString()).isEqualTo(e);
        }
    }

    @Test
    void shouldRoundTripAChangeBatchWithItsEntriesInOrder() {
        byte[] k1 = {1, 2, 3};
        byte[] k2 = {4, 5};
        ChangeBatch b = new ChangeBatch(Side.TARGET, java.util.List.of(
                new ChangeBatch.Entry(k1, RowChange.upsert(Side.TARGET, H, 5, "bin.000001:4", false, 77)),
                new ChangeBatch.Entry(null, new Heartbeat(Side.TARGET, 12, 13, 14, null)),
                new ChangeBatch.Entry(k2, RowChange.delete(Side.TARGET, 9, "bin.000001:90")),
                new ChangeBatch.Entry(k1, RowChange.copy(Side.TARGET, -1, 10, "bin.000001:99", false)),
                new ChangeBatch.Entry(null, new Truncate(Side.TARGET, "shop.orders", 11, "bin.000001:120")),
                new ChangeBatch.Entry(null, new Heartbeat(Side.TARGET, 13, 14, 15, "fence-2"))));
        CaptureEvent back = CaptureEventSerde.decode(CaptureEventSerde.encode(b));
        assertThat(back).isEqualTo(b);
        assertThat(((ChangeBatch) back).entries().get(2).key()).containsExactly(4, 5);
        assertThat(back.commitMicros()).isEqualTo(15);
    }

    @Test
    void shouldRefuseABatchOfTheOtherSidesEventsOrOfBatches() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ChangeBatch(Side.SOURCE,
                java.util.List.of(new ChangeBatch.Entry(null, new Heartbeat(Side.TARGET, 1, 1, 1, null)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event of the target");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ChangeBatch.Entry(null, RowChange.delete(Side.SOURCE, 1, "p")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row key");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ChangeBatch(Side.SOURCE, java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDecodeARowChangeAndAnObservationOfTheFirstVersionWithUnknownShape() {
        ByteSink row = new ByteSink(64).writeByte(1).writeByte(1).writeByte(Side.SOURCE.ordinal()).writeByte(RowChange.Op.UPSERT.ordinal())
                .writeByte(0).writeLong(H.hi()).writeLong(H.lo()).writeSignedVarLong(5).writeString("pos");
        assertThat(CaptureEventSerde.decode(row.toByteArray())).isEqualTo(RowChange.upsert(Side.SOURCE, H, 5, "pos", false));
        ByteSink obs = new ByteSink(64).writeByte(1).writeByte(3).writeByte(Side.TARGET.ordinal()).writeByte(1).writeLong(H.hi()).writeLong(H.lo())
                .writeVarLong(4).writeVarLong(6).writeSignedVarLong(77);
        assertThat(CaptureEventSerde.decode(obs.toByteArray())).isEqualTo(new Observation(Side.TARGET, H, 4, 6, 77));
    }
}
