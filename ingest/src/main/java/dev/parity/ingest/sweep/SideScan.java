package dev.parity.ingest.sweep;

import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.Sweeper.TableResult;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.SideState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One side's scan of one table: rows that did not match at once, the keys seen, the heartbeats read. */
final class SideScan {
    final Side side;
    final Instant startedAt;
    long rows;
    long matched;
    long firstSeq = -1;
    long lastSeq = -1;
    long overflow;
    String problem;
    /** The columns that made the table unreadable (with {@link #problem}); empty otherwise. */
    List<dev.parity.ingest.schema.ColumnInfo> unreadable = List.of();
    /** The plan the scan read with: a look-up of some keys again reads them exactly so (same columns, same hashing). */
    TableScan plan;
    /** The shape of the rows read (the table's columns as read); 0 unknown. */
    int shape;
    final List<Candidate> candidates = new ArrayList<>();
    private final SeenKeys seen;
    private final ReconcilerView view;
    private final int partitions;

    /** @param partitions of the side topics: a key's state is looked up in its own partition's store */
    SideScan(Side side, Instant startedAt, long expectedRows, ReconcilerView view, int partitions) {
        this.view = view;
        this.partitions = partitions;
        this.side = side;
        this.startedAt = startedAt;
        this.seen = new SeenKeys(expectedRows);
    }

    void add(TableScan.Page page) {
        if (firstSeq < 0) {
            firstSeq = page.heartbeatSeq();
        }
        lastSeq = Math.max(lastSeq, page.heartbeatSeq());
        KeyState[] states = view.keys(page.rows().stream().map(TableScan.Row::key).toList(), partitions);
        int i = 0;
        for (TableScan.Row row : page.rows()) {
            rows++;
            seen.add(RowHashing.keyHash(row.key()));
            KeyState ks = states[i++];
            SideState s = ks == null ? null : ks.side(side);
            if (s != null && Objects.equals(s.hash(), row.hash())) {
                matched++;
            } else if (candidates.size() < TableSweep.MAX_CANDIDATES) {
                candidates.add(new Candidate(row.key(), row.hash(), page.heartbeatSeq()));
            } else {
                overflow++;
            }
        }
    }

    boolean seen(byte[] rowKey) {
        return seen.mightContain(RowHashing.keyHash(rowKey));
    }

    TableResult result(long round, PlannedTable t, Instant finishedAt) {
        return new TableResult(t.mappedId(), side, round, startedAt, finishedAt, rows, matched, 0, 0, problem, unreadable);
    }
}

/** A row that differed from the captured state when read, with the heartbeat its page's snapshot saw. */
record Candidate(byte[] key, Hash128 hash, long guard) {
}
