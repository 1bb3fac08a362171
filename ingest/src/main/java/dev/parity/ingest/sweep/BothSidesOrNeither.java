package dev.parity.ingest.sweep;

import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.rules.ReadOver;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.SideState;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every key's re-read go to both sides or to neither ({@link TableSweep}, before it sends). A read is taken on a
 * side only where the captured change is older than the read's snapshot (README, "How it decides"); a key changed on
 * one side in the heartbeat its read saw may be newer than the read there, so that side keeps its captured state.
 * Were the other side's read taken meanwhile, a key re-based by the read (its hash over other columns than the captured
 * one: a column added, or one side's column now compared) would be compared across two bases and called DIVERGENT.
 * Such keys are looked up again by key on both sides once the streams have passed those changes ({@link #LOOKUPS}
 * times at most); a key still split is held back on both sides, left as captured for the next read.
 */
final class BothSidesOrNeither {
    private static final Logger LOG = LoggerFactory.getLogger(BothSidesOrNeither.class);
    /** Look-ups of keys split between the two sides before they are held back. */
    static final int LOOKUPS = 3;

    /** Waits until a side's stream has passed a heartbeat; null when it has, else why not. */
    interface StreamWait {
        String awaitPast(Side side, long seq) throws InterruptedException;
    }

    private final ReconcilerView view;
    private final Databases databases;
    private final TableSweep.Control control;
    private final StreamWait streams;

    BothSidesOrNeither(ReconcilerView view, Databases databases, TableSweep.Control control, StreamWait streams) {
        this.view = view;
        this.databases = databases;
        this.control = control;
        this.streams = streams;
    }

    /** Adjusts both sides' candidates of one table in place. */
    void apply(PlannedTable t, Map<Side, SideScan> scans) throws InterruptedException {
        Set<ByteBuffer> split = split(scans);
        for (int attempt = 0; attempt < LOOKUPS && !split.isEmpty() && !control.stopping(); attempt++) {
            Map<Side, Map<ByteBuffer, TableScan.Row>> found = new EnumMap<>(Side.class);
            Map<Side, Long> seqs = new EnumMap<>(Side.class);
            Set<ByteBuffer> looked = split;
            if (!lookUp(t, scans, looked, found, seqs)) {
                break;
            }
            for (SideScan scan : scans.values()) {
                scan.candidates.removeIf(c -> looked.contains(ByteBuffer.wrap(c.key())));
                for (ByteBuffer k : looked) {
                    // a key deleted meanwhile on a side: the streams say so; nothing of it is sent
                    if (found.values().stream().allMatch(rows -> rows.containsKey(k))) {
                        scan.candidates.add(new Candidate(k.array(), found.get(scan.side).get(k).hash(), seqs.get(scan.side)));
                    }
                }
            }
            split = split(scans);
        }
        if (!split.isEmpty()) {
            Set<ByteBuffer> held = split;
            scans.values().forEach(sc -> sc.candidates.removeIf(c -> held.contains(ByteBuffer.wrap(c.key()))));
            LOG.info("re-reading {}: {} key(s) kept changing on one side while read; left as captured on both sides until the next read",
                    t.mappedId(), held.size());
        }
    }

    /** Reads {@code keys} again on every side, each once its stream has passed the keys' captured changes; false if one could not. */
    private boolean lookUp(PlannedTable t, Map<Side, SideScan> scans, Set<ByteBuffer> keys, Map<Side, Map<ByteBuffer, TableScan.Row>> found,
                           Map<Side, Long> seqs) throws InterruptedException {
        List<Map<String, Object>> display = keys.stream().map(k -> CanonicalReader.keyColumns(k.array())).toList();
        for (SideScan scan : scans.values()) {
            long newest = keys.stream().map(k -> view.key(k.array())).filter(Objects::nonNull).map(ks -> ks.side(scan.side))
                    .filter(Objects::nonNull).mapToLong(SideState::stamp).max().orElse(-1);
            try {
                if (streams.awaitPast(scan.side, newest) != null) {
                    return false;
                }
                TableScan.Page page;
                try (java.sql.Connection c = databases.of(scan.side).connect()) {
                    TableScan.prepare(c, databases.of(scan.side).engine());
                    page = scan.plan.readKeys(c, display); // the scan's own plan: the same columns, hashed the same way
                }
                if (streams.awaitPast(scan.side, page.heartbeatSeq()) != null) {
                    return false;
                }
                found.put(scan.side, page.byKey());
                seqs.put(scan.side, page.heartbeatSeq());
            } catch (SQLException | RuntimeException e) {
                LOG.warn("looking up {} key(s) of {} on the {} again failed: {}", keys.size(), t.mappedId(), scan.side.label(), e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Keys whose read would be taken on one side and kept out on the other. */
    private Set<ByteBuffer> split(Map<Side, SideScan> scans) {
        Map<Side, Set<ByteBuffer>> taken = new EnumMap<>(Side.class);
        Map<Side, Set<ByteBuffer>> kept = new EnumMap<>(Side.class);
        for (SideScan scan : scans.values()) {
            Set<ByteBuffer> yes = new HashSet<>();
            Set<ByteBuffer> no = new HashSet<>();
            for (Candidate c : scan.candidates) {
                KeyState ks = view.key(c.key());
                SideState current = ks == null ? null : ks.side(scan.side);
                if (ReadOver.worthSending(current, c.hash(), c.guard())) {
                    yes.add(ByteBuffer.wrap(c.key()));
                } else if (current != null && !Objects.equals(current.hash(), c.hash())) {
                    no.add(ByteBuffer.wrap(c.key()));
                }
            }
            taken.put(scan.side, yes);
            kept.put(scan.side, no);
        }
        Set<ByteBuffer> out = new HashSet<>();
        kept.forEach((side, keys) -> keys.stream().filter(taken.getOrDefault(side.other(), Set.of())::contains).forEach(out::add));
        return out;
    }
}
