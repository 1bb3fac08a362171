package dev.parity.ingest.drill;

import dev.parity.ingest.Errors;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.rules.ColumnDiff;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.Verdict;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the rows of DIVERGENT keys from both databases and says which columns differ and why
 * (README, "Which column, and why"). Read-only, a short transaction per side and batch
 * ({@code WHERE (pk) IN (…)}, an index lookup per key), by the sweep's canonical reader; one thread,
 * at most {@code maxKeysPerSecond} keys read per side, so a flood of divergences costs the databases
 * a bounded trickle of point reads.
 *
 * <p>Never diffed stale: a row read is used only when its hash equals the hash the key was judged
 * with on that side. Otherwise the key changed since its verdict (the stream will judge it again, or
 * the sweep will find a write no log recorded), and it is read again once its state changes.
 * Results are kept for at most {@link #MAX_RESULTS} keys, each tied to the state it explains.
 */
public final class DrillDown implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrillDown.class);
    /** Keys whose findings are kept; beyond it the oldest reads are dropped (and read again if still wanted). */
    public static final int MAX_RESULTS = 20_000;
    /** Keys per read statement. */
    private static final int BATCH = 100;
    /** Characters of a text value (bytes of a binary one) a kept finding holds: {@link ColumnDiff.Finding#bounded}. */
    static final int KEPT_VALUE_CHARS = 4096;

    /**
     * What was found for one key, valid while its state still has these hashes.
     *
     * @param findings the differing columns; empty for a missing or extra row
     * @param problem  why there are no findings (changed since its verdict, unreadable); null when read
     */
    public record Result(Hash128 sourceHash, Hash128 targetHash, Instant readAt, long sourceSeq, long targetSeq,
                         List<ColumnDiff.Finding> findings, String problem) {
        public boolean explains(KeyState state) {
            return Objects.equals(sourceHash, state.hash(Side.SOURCE)) && Objects.equals(targetHash, state.hash(Side.TARGET));
        }
    }

    private final Databases databases;
    private final Supplier<List<PlannedTable>> tables;
    private final Function<String, List<DivergenceView>> divergent;
    private final int maxKeysPerSecond;
    private final Clock clock;
    private final Map<ByteBuffer, Result> results = new ConcurrentHashMap<>();
    private final Map<String, Map<Side, TableScan>> scans = new HashMap<>();
    private final Map<String, Map<String, ColumnDiff.ColumnShape>> shapes = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong keysRead = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean stopping;
    private volatile boolean replan;
    private volatile String problem;
    private Thread thread;

    /**
     * @param divergent a table's mismatched keys (mapped id → views), as the reconciler holds them now
     */
    public DrillDown(Databases databases, Supplier<List<PlannedTable>> tables, Function<String, List<DivergenceView>> divergent,
                     int maxKeysPerSecond, Clock clock) {
        this.databases = databases;
        this.tables = tables;
        this.divergent = divergent;
        this.maxKeysPerSecond = Math.max(1, maxKeysPerSecond);
        this.clock = clock;
    }

    public synchronized void start() {
        if (thread == null) {
            thread = new Thread(this::run, "parity-drilldown");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The findings for a key in this state, or null when not (yet) read for it. */
    public Result result(DivergenceView d) {
        Result r = results.get(ByteBuffer.wrap(d.rowKey()));
        return r != null && r.explains(d.keyState()) ? r : null;
    }

    /** Keys whose findings are held now (at most {@link #MAX_RESULTS}). */
    public int resultsHeld() {
        return results.size();
    }

    /** Keys read so far (each on both sides): the read budget can be checked against it. */
    public long keysRead() {
        return keysRead.get();
    }

    /** The last failure of a round, retried; null when none. */
    public String problem() {
        return problem;
    }

    private void run() {
        while (!stopping) {
            long started = System.nanoTime();
            int read = 0;
            try {
                read = round();
                problem = null;
            } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                LOG.debug("the reconciler's stores are not queryable yet: {}", e.getMessage()); // start-up, rebalance: try again
            } catch (SQLException | RuntimeException e) {
                String now = "reading divergent rows failed, retrying: " + Errors.rootMessage(e);
                if (!now.equals(problem)) {
                    LOG.warn(now);
                }
                problem = now;
            }
            // Keys read per side this round, spread so the budget holds per second.
            long budgetNanos = Duration.ofSeconds(1).toNanos() * Math.max(read, 1) / maxKeysPerSecond;
            // Nothing to read: look again in a second, not sooner.
            long floor = read == 0 ? Duration.ofSeconds(1).toNanos() : Duration.ofMillis(250).toNanos();
            long sleep = Math.max(floor, budgetNanos - (System.nanoTime() - started));
            try {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads up to a second's budget of DIVERGENT keys that have no findings for their current state; returns how many. */
    int round() throws SQLException {
        if (replan) {
            replan = false;
            scans.clear();
            shapes.clear();
            results.clear();
        }
        int budget = maxKeysPerSecond;
        int read = 0;
        for (PlannedTable t : tables.get()) {
            if (budget <= 0) {
                break;
            }
            if (t.byContent()) {
                continue; // a table without key: the divergence is the whole row and its copies, nothing to read
            }
            List<DivergenceView> wanted = new ArrayList<>();
            for (DivergenceView d : divergent.apply(t.mappedId())) {
                if (d.state() == Verdict.DIVERGENT && result(d) == null && wanted.size() < budget) {
                    wanted.add(d);
                }
            }
            for (int from = 0; from < wanted.size(); ) {
                // As many keys as fit the budget for whole rows at the row sizes read so far on either side.
                int n = Math.min(batchRows(t, Side.SOURCE), batchRows(t, Side.TARGET));
                List<DivergenceView> batch = wanted.subList(from, Math.min(wanted.size(), from + n));
                from += batch.size();
                read(t, batch);
                read += batch.size();
                keysRead.addAndGet(batch.size());
            }
            budget -= wanted.size();
        }
        if (results.size() > MAX_RESULTS) {
            results.entrySet().stream().sorted(java.util.Comparator.comparing(e -> e.getValue().readAt()))
                    .limit(results.size() - MAX_RESULTS).map(Map.Entry::getKey).toList().forEach(results::remove);
        }
        return read;
    }

    /** Keys per batch for one side of a table: {@link #BATCH}, fewer when its rows are big ({@code MemoryBudget.keptRowBytes}). */
    private int batchRows(PlannedTable t, Side side) throws SQLException {
        TableScan scan = scan(t, side);
        return scan == null ? BATCH : scan.rowsWithin(dev.parity.ingest.jdbc.MemoryBudget.keptRowBytes(), BATCH);
    }

    /** One batch of one table: both sides read by key, each row used only if it is the value judged. */
    void read(PlannedTable t, List<DivergenceView> batch) throws SQLException {
        List<Map<String, Object>> keys = batch.stream().map(DivergenceView::key).toList();
        Map<Side, TableScan.Page> pages = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            SideDatabase db = databases.of(side);
            TableScan scan = scan(t, side);
            try (Connection c = db.connect()) {
                TableScan.prepare(c, db.engine());
                pages.put(side, scan.readKeys(c, keys));
            }
        }
        Map<ByteBuffer, TableScan.Row> source = pages.get(Side.SOURCE).byKey();
        Map<ByteBuffer, TableScan.Row> target = pages.get(Side.TARGET).byKey();
        Instant now = clock.instant();
        Map<String, ColumnDiff.ColumnShape> shape = shapes.get(t.mappedId());
        for (DivergenceView d : batch) {
            ByteBuffer k = ByteBuffer.wrap(d.rowKey());
            TableScan.Row s = source.get(k);
            TableScan.Row r = target.get(k);
            KeyState state = d.keyState();
            Hash128 sh = s == null ? null : s.hash();
            Hash128 th = r == null ? null : r.hash();
            Result result;
            if (!Objects.equals(sh, state.hash(Side.SOURCE)) || !Objects.equals(th, state.hash(Side.TARGET))) {
                result = new Result(state.hash(Side.SOURCE), state.hash(Side.TARGET), now, pages.get(Side.SOURCE).heartbeatSeq(),
                        pages.get(Side.TARGET).heartbeatSeq(), List.of(),
                        "changed since its verdict: judged again by the change streams (or the sweep) before it is diffed");
            } else {
                List<ColumnDiff.Finding> findings = s == null || r == null ? List.of()
                        : ColumnDiff.diff(CanonicalReader.rowValues(s.canonical()), CanonicalReader.rowValues(r.canonical()), shape).stream()
                                .map(f -> f.bounded(KEPT_VALUE_CHARS)).toList();
                result = new Result(sh, th, now, pages.get(Side.SOURCE).heartbeatSeq(), pages.get(Side.TARGET).heartbeatSeq(), findings, null);
            }
            results.put(k, result);
        }
    }


    private TableScan scan(PlannedTable t, Side side) throws SQLException {
        Map<Side, TableScan> bySide = scans.computeIfAbsent(t.mappedId(), k -> new EnumMap<>(Side.class));
        TableScan scan = bySide.get(side);
        if (scan == null) {
            SideDatabase db = databases.of(side);
            TableSchema schema = db.schemas(List.of(t)).get(t.name(side));
            TableScan.Result plan = db.scanPlan(t, schema, BATCH);
            if (plan.scan() == null) {
                throw new IllegalStateException(t.mappedId() + " cannot be read on the " + side.label() + ": " + plan.problem());
            }
            scan = plan.scan();
            bySide.put(side, scan);
            if (side == Side.TARGET) {
                shapes.put(t.mappedId(), shape(schema));
            }
        }
        return scan;
    }

    /**
     * One key read now from both databases, whatever the reconciler holds of it (the drill-down on
     * demand): its rows' hashes (null where a side has no such row), the heartbeats the reads saw, and
     * the differing columns when both sides have it.
     */
    public record OnDemand(byte[] rowKey, Hash128 sourceHash, Hash128 targetHash, long sourceSeq, long targetSeq,
                           List<ColumnDiff.Finding> findings) {
    }

    /** Reads one key from both sides now (a short read-only transaction each); null when neither side has it. */
    public OnDemand readNow(PlannedTable t, Map<String, Object> key) throws SQLException {
        Map<Side, TableScan.Page> pages = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            pages.put(side, databases.of(side).readKeys(t, List.of(key)));
        }
        Map<String, ColumnDiff.ColumnShape> shape = shape(databases.target().schemas(List.of(t)).get(t.targetName()));
        TableScan.Row s = pages.get(Side.SOURCE).rows().isEmpty() ? null : pages.get(Side.SOURCE).rows().get(0);
        TableScan.Row r = pages.get(Side.TARGET).rows().isEmpty() ? null : pages.get(Side.TARGET).rows().get(0);
        if (s == null && r == null) {
            return null;
        }
        List<ColumnDiff.Finding> findings = s == null || r == null ? List.of()
                : ColumnDiff.diff(CanonicalReader.rowValues(s.canonical()), CanonicalReader.rowValues(r.canonical()), shape);
        return new OnDemand(s != null ? s.key() : r.key(), s == null ? null : s.hash(), r == null ? null : r.hash(),
                pages.get(Side.SOURCE).heartbeatSeq(), pages.get(Side.TARGET).heartbeatSeq(), findings);
    }

    /** What the target declares of each column, for the causes. */
    private static Map<String, ColumnDiff.ColumnShape> shape(TableSchema target) {
        Map<String, ColumnDiff.ColumnShape> out = new HashMap<>();
        for (ColumnInfo c : target.columns()) {
            out.put(c.name(), new ColumnDiff.ColumnShape(c.nativeType(), c.length(), c.scale()));
        }
        return out;
    }

    /** Forgets the tables' plans (after a schema change): they are made again on the next read. */
    public void replan() {
        replan = true;
    }

    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
