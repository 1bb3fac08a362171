package dev.parity.reconciler.bench;

import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.StateSerdes;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-row and per-event hot paths (BENCHMARKS.md): canonical encoding plus the 128-bit row hash
 * of a typical 8-column row; the digest update every change makes; the wire decoding of a capture
 * event; the per-key state encoding and decoding.
 * Run: {@code mvn -B -pl reconciler -am -Pjmh verify -DskipTests} (results in reconciler/target/jmh-result.json).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HotPathBenchmark {
    private final CanonicalWriter writer = new CanonicalWriter();
    private final BigDecimal amount = new BigDecimal("1234.50");
    private long id;
    private Digest digest = Digest.EMPTY;
    private Hash128 previous = new Hash128(1, 2);
    private byte[] wireEvent;
    private byte[] keyState;
    private KeyState equalKey;
    private final CaptureEventSerde serde = new CaptureEventSerde();

    @Setup
    public void setUp() {
        wireEvent = CaptureEventSerde.encode(RowChange.upsert(Side.SOURCE, new Hash128(7, 8), 1_700_000_000_000_000L, "mariadb-bin.000042:123456", false));
        equalKey = new KeyState(new SideState(new Hash128(7, 8), SideState.UNKNOWN_COMMIT, "", 1234), new SideState(new Hash128(7, 8),
                SideState.UNKNOWN_COMMIT, "", 1235), KeyState.NEVER);
        keyState = StateSerdesAccess.encode(equalKey);
    }

    /** One row of an orders-like table, encoded canonically and hashed: what every captured row costs. */
    @Benchmark
    public Hash128 encodeAndHashRow() {
        long i = ++id;
        writer.reset().table("shop.orders").column("id").integer(i);
        writer.beginRow()
                .column("amount").decimal(amount)
                .column("created_at").timestamp(1_700_000_000_000_000L + i)
                .column("customer_id").integer(i % 1000)
                .column("id").integer(i)
                .column("note").string("deliver to the back door")
                .column("paid").bool((i & 1) == 0)
                .column("status").string("SHIPPED")
                .column("updated_at").localDateTime(1_700_000_000_000_000L + i);
        return RowHashing.hash128(writer.sink().array(), 0, writer.sink().size());
    }

    /** The incremental chunk digest update of one changed row: {@code + h(new) − h(old)}. */
    @Benchmark
    public Digest digestUpdate() {
        Hash128 next = new Hash128(previous.lo() * 31 + 7, previous.hi() ^ 0x5bd1e995L);
        digest = digest.apply(previous, next);
        previous = next;
        return digest;
    }

    /** A capture event off the wire, as the reconciler reads every record. */
    @Benchmark
    public CaptureEvent decodeEvent() {
        return serde.deserialize("t", wireEvent);
    }

    /** An equal key's state, encoded and decoded: the per-key store traffic of every change. */
    @Benchmark
    public KeyState keyStateRoundTrip() {
        return StateSerdesAccess.decode(StateSerdesAccess.encode(equalKey));
    }

    /** The key-state serde through its public Serde (the codec methods are package-private). */
    static final class StateSerdesAccess {
        private static final org.apache.kafka.common.serialization.Serde<KeyState> SERDE = StateSerdes.keyState();

        static byte[] encode(KeyState k) {
            return SERDE.serializer().serialize("t", k);
        }

        static KeyState decode(byte[] b) {
            return SERDE.deserializer().deserialize("t", b);
        }
    }
}
