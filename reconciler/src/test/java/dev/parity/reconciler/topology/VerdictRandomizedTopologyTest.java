package dev.parity.reconciler.topology;

import static dev.parity.reconciler.topology.TopologyHarness.hash;
import static dev.parity.reconciler.topology.TopologyHarness.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.ChangeBatch;
import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.state.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The divergence rule against randomised histories. A source commit history of row changes with
 * heartbeats between them; the target replays it in order, possibly dropping changes or taking rogue
 * writes of its own, some of them invisible to its log ({@code sql_log_bin = 0}); each side's capture
 * snapshots at a random point and streams the rest; in half the seeds the verification sweep reads
 * each side's true state at random points and its observations land anywhere in that side's stream,
 * with a last sweep just before the final heartbeat; in a third of the seeds the captures take no
 * snapshot and Parity's initial load reads both sides instead, its records landing anywhere after the
 * source heartbeat that follows their reads. The two streams are delivered in a random
 * interleaving (either arbitrarily ahead); in half the seeds runs of a capture's consecutive events travel together in one
 * record ({@link ChangeBatch}, as ingest sends a capture's batch), at random lengths. Invariants: no key is ever DIVERGENT unless a fault was
 * injected on it, and once both streams pass the final heartbeats every key that differs is
 * DIVERGENT (invisible writes included, when sweeping) and every other key is in sync.
 *
 * <p>A failure names its seed. To replay one with its history and every delivery printed:
 * {@code mvn test -pl reconciler -Dtest=VerdictRandomizedTopologyTest -Dseed=N -DseedTo=N -Dtrace=true}.
 * In-memory stores: this test exercises the rule, the RocksDB path is covered by ReconcilerTopologyTest.
 */
class VerdictRandomizedTopologyTest {
    private static final String T = "public.t";
    private static final int SEEDS = 500;

    /**
     * One entry of a database's commit history: a row change (value null = delete) or a heartbeat. An
     * invisible change alters the database but never reaches its log; a snapshot still reads it.
     */
    private record Op(int key, Long value, long heartbeat, boolean visible) {
        static Op row(int key, Long value) {
            return new Op(key, value, -1, true);
        }

        static Op invisible(int key, Long value) {
            return new Op(key, value, -1, false);
        }

        static Op hb(long seq) {
            return new Op(-1, null, seq, true);
        }

        boolean isHeartbeat() {
            return heartbeat >= 0;
        }
    }

    /**
     * One event as a side's capture delivers it, or (guard ≥ 0) a sweep's observation of op's key:
     * its value as read in a snapshot taken after heartbeat {@code guard}.
     */
    private record Delivery(Side side, Op op, boolean snapshot, long guard, BaselineBatch batch) {
        Delivery(Side side, Op op, boolean snapshot) {
            this(side, op, snapshot, -1, null);
        }

        Delivery(Side side, Op op, boolean snapshot, long guard) {
            this(side, op, snapshot, guard, null);
        }

        static Delivery load(BaselineBatch batch) {
            return new Delivery(Side.SOURCE, null, false, -1, batch);
        }
    }

    @Test
    void shouldNeverJudgeAnUninjectedKeyDivergentAndAlwaysCatchInjectedOnes() {
        for (long seed = Long.getLong("seed", 1); seed <= Long.getLong("seedTo", SEEDS); seed++) {
            runSeed(seed, false);
        }
    }

    /**
     * The same for a table without key (README, "Tables without a key"): each key is a distinct row, an
     * op adds (+1) or removes (-1) one copy of it, a database removes a copy only where it has one (a
     * replicated DELETE that finds no row does nothing), and a side's value is its count of copies.
     */
    @Test
    void shouldJudgeCopiesOfKeylessRowsByTheSameRule() {
        for (long seed = Long.getLong("seed", 1); seed <= Long.getLong("seedTo", SEEDS); seed++) {
            runSeed(seed, true);
        }
    }

    /** The canonical key of key {@code k}: its id, or (a table without key) the whole row. */
    private static byte[] rowKey(int k, boolean bag) {
        return bag ? new dev.parity.reconciler.canonical.CanonicalWriter().table(T).beginRow().column("id").integer(k).toByteArray() : key(T, k);
    }

    /** A side's value of key {@code k} as the reconciler holds it: a row hash, or a count of copies. */
    private static dev.parity.reconciler.model.Hash128 value(int k, Long v, boolean bag) {
        if (v == null) {
            return null;
        }
        return bag ? dev.parity.reconciler.model.RowHashing.copies(rowKey(k, true), v) : hash(v);
    }

    private static void runSeed(long seed, boolean bag) {
        Random r = new Random(seed);
        int keys = 2 + r.nextInt(12);
        boolean faults = r.nextInt(4) != 0; // a quarter of the seeds inject nothing at all
        boolean sweeping = r.nextBoolean();
        List<Op> source = new ArrayList<>();
        long seq = 0;
        int length = 20 + r.nextInt(120);
        Map<Integer, Long> copies = new TreeMap<>();
        for (int i = 0; i < length; i++) {
            if (r.nextInt(5) == 0) {
                source.add(Op.hb(++seq));
            } else if (bag) {
                int k = r.nextInt(keys);
                long delta = copies.getOrDefault(k, 0L) > 0 && r.nextInt(3) == 0 ? -1 : 1;
                source.add(Op.row(k, delta));
                copies.merge(k, delta, Long::sum);
            } else {
                source.add(Op.row(r.nextInt(keys), r.nextInt(4) == 0 ? null : (long) r.nextInt(5)));
            }
        }
        source.add(Op.hb(++seq)); // final heartbeats: both streams pass every fence
        source.add(Op.hb(++seq));
        int finalStart = source.size() - 2;

        Set<Integer> injected = new HashSet<>();
        List<Op> target = new ArrayList<>();
        Map<Integer, Long> targetCopies = new TreeMap<>();
        for (int i = 0; i < source.size(); i++) {
            Op op = source.get(i);
            if (i < finalStart && faults && r.nextInt(25) == 0) {
                int k = r.nextInt(keys);
                Long rogue = bag ? (Long) (targetCopies.getOrDefault(k, 0L) > 0 && r.nextBoolean() ? -1L : 1L)
                        : r.nextBoolean() ? null : 100L + r.nextInt(3);
                // a rogue write on the target; only a sweep can see one its log never recorded
                target.add(sweeping && r.nextBoolean() ? Op.invisible(k, rogue) : Op.row(k, rogue));
                injected.add(k);
                if (bag) {
                    targetCopies.merge(k, rogue, Long::sum);
                }
            }
            if (!op.isHeartbeat() && faults && r.nextInt(30) == 0) {
                injected.add(op.key()); // replication lost this change
                continue;
            }
            if (bag && !op.isHeartbeat()) {
                if (op.value() < 0 && targetCopies.getOrDefault(op.key(), 0L) == 0) {
                    continue; // the replicated DELETE finds no copy on the target: nothing happens, nothing is logged
                }
                targetCopies.merge(op.key(), op.value(), Long::sum);
            }
            target.add(op);
        }

        if (Boolean.getBoolean("trace")) {
            System.out.println("seed " + seed + "\nSOURCE " + source + "\nTARGET " + target + "\ninjected " + injected);
        }
        // In a third of the seeds the captures take no snapshot and Parity's own initial load reads both
        // sides instead (README, "The first baseline").
        // Not for a table without key: Parity's load leaves those to the connectors' snapshot (a count read
        // outside the stream cannot be merged with copies changed meanwhile; see BaselinePlan).
        boolean loading = r.nextInt(3) == 0 && !bag;
        int sourceStart = r.nextInt(finalStart + 1);
        int targetStart = r.nextInt(target.size() - 1);
        List<Delivery> fromSource = capture(Side.SOURCE, source, sourceStart, !loading, bag);
        List<Delivery> fromTarget = capture(Side.TARGET, target, targetStart, !loading, bag);
        List<Delivery> loaded = loading ? load(r, source, sourceStart, target, targetStart, keys, fromSource, bag) : List.of();
        if (Boolean.getBoolean("trace") && loading) {
            System.out.println("initial load " + loaded);
        }
        if (sweeping) {
            sweep(r, Side.SOURCE, source, keys, fromSource, bag);
            sweep(r, Side.TARGET, target, keys, fromTarget, bag);
        }

        try (TopologyHarness h = new TopologyHarness(2, 0, false)) {
            if (loading) {
                h.link.openLoadWindow(); // as the application does before the reconciler starts, when it plans a load
            }
            double bias = 0.1 + 0.8 * r.nextDouble();
            // Its own generator, so that every seed's history and interleaving stay what they were before batching.
            Random batches = new Random(seed * 31 + 7);
            boolean batching = batches.nextBoolean();
            int si = 0;
            int ti = 0;
            int step = 0;
            while (si < fromSource.size() || ti < fromTarget.size()) {
                boolean takeSource = ti >= fromTarget.size() || (si < fromSource.size() && r.nextDouble() < bias);
                List<Delivery> from = takeSource ? fromSource : fromTarget;
                Delivery dd = from.get(takeSource ? si++ : ti++);
                List<Delivery> run = new ArrayList<>(List.of(dd));
                if (batching && captured(dd)) {
                    // A capture's batch: this event and up to seven that follow it on its stream, as one record.
                    for (int limit = 1 + batches.nextInt(8); run.size() < limit; ) {
                        int next = takeSource ? si : ti;
                        if (next >= from.size() || !captured(from.get(next))) {
                            break;
                        }
                        run.add(from.get(next));
                        if (takeSource) {
                            si++;
                        } else {
                            ti++;
                        }
                    }
                }
                if (run.size() > 1) {
                    deliverBatch(h, run, bag);
                } else {
                    deliver(h, dd, bag);
                }
                step++;
                if (Boolean.getBoolean("trace")) {
                    System.out.println("step " + step + " " + run);
                }
                for (DivergenceView d : h.view.divergences(T, 1000)) {
                    if (d.state() == Verdict.DIVERGENT) {
                        int k = ((Long) d.key().get("id")).intValue();
                        assertThat(injected).as("seed %d step %d: key %d judged DIVERGENT but no fault was injected on it", seed, step, k)
                                .contains(k);
                    }
                }
            }
            if (loading) {
                // Every load record is in: the loader writes one more heartbeat and, once both streams passed it,
                // closes the window; the next heartbeat judges what waited for the load.
                h.heartbeat(Side.SOURCE, seq + 1);
                h.heartbeat(Side.TARGET, seq + 1);
                h.link.closeLoadWindow();
                h.heartbeat(Side.SOURCE, seq + 2);
                h.heartbeat(Side.TARGET, seq + 2);
            }
            Map<Integer, Long> s = replay(source, bag);
            Map<Integer, Long> t = replay(target, bag);
            Set<Integer> differ = new HashSet<>();
            for (int k = 0; k < keys; k++) {
                if (!java.util.Objects.equals(s.get(k), t.get(k))) {
                    differ.add(k);
                }
            }
            Map<Integer, Verdict> verdicts = new TreeMap<>();
            h.view.divergences(T, 1000).forEach(d -> verdicts.put(((Long) d.key().get("id")).intValue(), d.state()));
            Map<Integer, Verdict> expected = new TreeMap<>();
            differ.forEach(k -> expected.put(k, Verdict.DIVERGENT));
            assertThat(verdicts).as("seed %d: after both streams passed the final heartbeats", seed).isEqualTo(expected);
            assertThat(h.table(T).source()).as("seed %d source digest", seed).isEqualTo(digest(s, bag));
            assertThat(h.table(T).target()).as("seed %d target digest", seed).isEqualTo(digest(t, bag));
        }
    }

    /**
     * What a capture delivers: the state at {@code snapshotAt} as snapshot rows (unless it takes no
     * snapshot), then every later logged op.
     */
    private static List<Delivery> capture(Side side, List<Op> history, int snapshotAt, boolean snapshot, boolean bag) {
        List<Delivery> out = new ArrayList<>();
        if (snapshot) {
            replay(history.subList(0, snapshotAt), bag).forEach((k, v) -> {
                for (long c = 0; c < (bag ? v : 1); c++) {
                    out.add(new Delivery(side, Op.row(k, bag ? 1L : v), true)); // a snapshot row per copy
                }
            });
        }
        for (Op op : history.subList(snapshotAt, history.size())) {
            if (op.visible()) {
                out.add(new Delivery(side, op, false));
            }
        }
        return out;
    }

    /**
     * Sweeps of one side: reads of its true state at random points of its history, plus one just
     * before the final heartbeat. Each key's observation (absent ones too) lands at a random place in
     * the side's deliveries: appended after the read, it may overtake a lagging stream or trail far
     * behind it. The guard is the newest heartbeat committed before the read (0: the seeded row).
     */
    private static void sweep(Random r, Side side, List<Op> history, int keys, List<Delivery> deliveries, boolean bag) {
        List<Integer> readAt = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            readAt.add(r.nextInt(history.size() - 1));
        }
        readAt.add(history.size() - 1);
        for (int at : readAt) {
            long guard = 0;
            for (Op op : history.subList(0, at)) {
                guard = op.isHeartbeat() ? op.heartbeat() : guard;
            }
            Map<Integer, Long> state = replay(history.subList(0, at), bag);
            boolean last = at == history.size() - 1;
            for (int k = 0; k < keys; k++) {
                Delivery d = new Delivery(side, Op.row(k, state.get(k)), false, guard);
                // the last sweep is read after every change; its observations arrive after the final heartbeat
                int p = last ? deliveries.size() : r.nextInt(deliveries.size() + 1);
                deliveries.add(p, d);
            }
        }
    }

    /**
     * Parity's initial load as the loader runs it: the keys split into ranges; each range read on each
     * side at a random point after that side's stream began (its first heartbeat) and before its last
     * heartbeat, the guard being the newest heartbeat committed before the read; every key either read
     * holds paired in records of random size, each sent into the source's stream somewhere after the
     * source's next heartbeat (the loader waits for the capture to have it; the target's heartbeat may
     * still be overtaken, and the reconciler must hold such a record back).
     */
    private static List<Delivery> load(Random r, List<Op> source, int sourceStart, List<Op> target, int targetStart, int keys,
                                       List<Delivery> fromSource, boolean bag) {
        List<Delivery> out = new ArrayList<>();
        int from = 0;
        while (from < keys) {
            int to = Math.min(keys, from + 1 + r.nextInt(keys));
            int a = readPoint(r, source, sourceStart);
            int b = readPoint(r, target, targetStart);
            long sourceGuard = guardBefore(source, a);
            long targetGuard = guardBefore(target, b);
            Map<Integer, Long> s = replay(source.subList(0, a), bag);
            Map<Integer, Long> t = replay(target.subList(0, b), bag);
            List<BaselineBatch.Entry> entries = new ArrayList<>();
            for (int k = from; k < to; k++) {
                if (s.get(k) != null || t.get(k) != null) {
                    entries.add(new BaselineBatch.Entry(rowKey(k, bag), value(k, s.get(k), bag), value(k, t.get(k), bag)));
                }
            }
            java.util.Collections.shuffle(entries, r); // the loader groups by partition, not in key order
            for (int i = 0; i < entries.size(); ) {
                int n = 1 + r.nextInt(entries.size() - i);
                Delivery d = Delivery.load(new BaselineBatch(sourceGuard, targetGuard, 0L, entries.subList(i, i + n)));
                int after = indexOfHeartbeat(fromSource, sourceGuard + 1);
                fromSource.add(after + 1 + r.nextInt(fromSource.size() - after), d);
                out.add(d);
                i += n;
            }
            from = to;
        }
        return out;
    }

    /** A read point after the first heartbeat the stream delivered (it began at {@code start}) and before the last heartbeat. */
    private static int readPoint(Random r, List<Op> history, int start) {
        int first = start;
        while (!history.get(first).isHeartbeat()) {
            first++;
        }
        int last = history.size() - 1;
        return first + 1 + r.nextInt(last - first);
    }

    private static long guardBefore(List<Op> history, int at) {
        long guard = 0;
        for (Op op : history.subList(0, at)) {
            guard = op.isHeartbeat() ? op.heartbeat() : guard;
        }
        return guard;
    }

    private static int indexOfHeartbeat(List<Delivery> deliveries, long seq) {
        for (int i = 0; i < deliveries.size(); i++) {
            Delivery d = deliveries.get(i);
            if (d.op() != null && d.guard() < 0 && d.op().isHeartbeat() && d.op().heartbeat() == seq) {
                return i;
            }
        }
        throw new IllegalStateException("heartbeat " + seq + " not delivered");
    }

    /** A database's true state after {@code history}, logged or not (a table without key: copies per row, none left out). */
    private static Map<Integer, Long> replay(List<Op> history, boolean bag) {
        Map<Integer, Long> state = new TreeMap<>();
        for (Op op : history) {
            if (op.isHeartbeat()) {
                continue;
            }
            if (bag) {
                state.merge(op.key(), op.value(), Long::sum);
                state.remove(op.key(), 0L);
            } else if (op.value() == null) {
                state.remove(op.key());
            } else {
                state.put(op.key(), op.value());
            }
        }
        return state;
    }

    /** Whether a delivery is a capture's event (a row change or a heartbeat), not a sweep's or the load's record. */
    private static boolean captured(Delivery d) {
        return d.batch() == null && d.guard() < 0;
    }

    /** Captured events of one side, in one record. */
    private static void deliverBatch(TopologyHarness h, List<Delivery> run, boolean bag) {
        Side side = run.get(0).side();
        List<ChangeBatch.Entry> entries = new ArrayList<>();
        for (Delivery d : run) {
            Op op = d.op();
            if (op.isHeartbeat()) {
                entries.add(new ChangeBatch.Entry(null, h.heartbeatEvent(side, op.heartbeat())));
            } else if (bag) {
                entries.add(new ChangeBatch.Entry(rowKey(op.key(), true),
                        dev.parity.reconciler.model.RowChange.copy(side, op.value().intValue(), 0, "pos", d.snapshot())));
            } else if (op.value() == null) {
                entries.add(new ChangeBatch.Entry(key(T, op.key()), h.deleteEvent(side)));
            } else {
                entries.add(new ChangeBatch.Entry(key(T, op.key()), h.upsertEvent(side, hash(op.value()))));
            }
        }
        byte[] first = entries.get(0).key();
        h.send(side, first == null ? new byte[] {0} : first, new ChangeBatch(side, entries));
    }

    private static void deliver(TopologyHarness h, Delivery d, boolean bag) {
        Op op = d.op();
        if (d.batch() != null) {
            h.send(Side.SOURCE, d.batch().entries().get(0).key(), d.batch());
        } else if (d.guard() >= 0) {
            h.observe(d.side(), rowKey(op.key(), bag), value(op.key(), op.value(), bag), d.guard());
        } else if (op.isHeartbeat()) {
            h.heartbeat(d.side(), op.heartbeat());
        } else if (bag) {
            h.send(d.side(), rowKey(op.key(), true), dev.parity.reconciler.model.RowChange.copy(d.side(), op.value().intValue(), 0, "pos", d.snapshot()));
        } else if (op.value() == null) {
            h.delete(d.side(), key(T, op.key()));
        } else {
            h.upsert(d.side(), key(T, op.key()), hash(op.value()));
        }
    }

    private static Digest digest(Map<Integer, Long> state, boolean bag) {
        Digest d = Digest.EMPTY;
        for (Map.Entry<Integer, Long> e : state.entrySet()) {
            d = d.apply(rowKey(e.getKey(), bag), bag, null, value(e.getKey(), e.getValue(), bag));
        }
        return d;
    }
}
