package dev.parity.ingest.sweep;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.port.ReconcilerPort;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.Sweeper.TableResult;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.TableSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * How fresh each table's verification is, and so what the {@link Sweeper} reads next (README, "How it
 * decides"): the latest complete read of every table on every side (a sweep round's, or the initial
 * load's, which compared every row of both sides), how old one may be for the gate's {@code reread}
 * check, and the order of a round — tables not read completely first, then tables whose digests moved
 * since their last complete read, then the rest, oldest read first within each.
 */
final class SweepSchedule {
    private final IngestConfig.Verify config;
    private final List<PlannedTable> tables;
    private final Databases databases;
    private final ReconcilerPort reconciler;
    private final Supplier<List<FullRead>> loadReads;
    /** Each table's two digests when the sweep last read it completely: a table whose state moved since is read first. */
    private final Map<String, TableSummary> atLastRead = new ConcurrentHashMap<>();

    SweepSchedule(IngestConfig.Verify config, List<PlannedTable> tables, Databases databases, ReconcilerPort reconciler,
                  Supplier<List<FullRead>> loadReads) {
        this.config = config;
        this.tables = List.copyOf(tables);
        this.databases = databases;
        this.reconciler = reconciler;
        this.loadReads = loadReads;
    }

    /** The latest complete read of each table on each side, by the load or by one of these sweep results. */
    List<FullRead> fullReads(Collection<TableResult> sweepResults) {
        Map<String, FullRead> latest = new TreeMap<>();
        for (FullRead r : loadReads.get()) {
            latest.merge(r.table() + "|" + r.side().label(), r, SweepSchedule::newer);
        }
        for (TableResult r : sweepResults) {
            if (r.complete()) {
                latest.merge(r.table() + "|" + r.side().label(), new FullRead(r.table(), r.side(), r.finishedAt(), r.rowsRead(),
                        "sweep round " + r.round()), SweepSchedule::newer);
            }
        }
        return List.copyOf(latest.values());
    }

    private static FullRead newer(FullRead a, FullRead b) {
        return b.at().isAfter(a.at()) ? b : a;
    }

    /**
     * How old a table's last full read may be for the gate's {@code reread} check: {@code verify.maxAge}
     * when set; otherwise two rounds (a table read first in one round is read last in the next), a round
     * being the longest of {@code verify.interval}, the rows of the larger side at
     * {@code verify.maxRowsPerSecond}, and the last round as measured; at least one minute.
     */
    Duration maxAge(Instant lastRoundStarted, Instant lastRoundFinished) {
        if (config.maxAge() != null) {
            return config.maxAge();
        }
        long rows = 0;
        for (Side side : config.sides()) {
            Map<String, Long> estimated = databases.of(side).estimatedRows();
            rows = Math.max(rows, tables.stream().mapToLong(t -> Math.max(0, estimated.getOrDefault(t.name(side), 0L))).sum());
        }
        Duration round = max(Duration.ofMillis(rows * 1000 / Math.max(1, config.maxRowsPerSecond())), config.interval());
        if (lastRoundStarted != null && lastRoundFinished != null && !lastRoundFinished.isBefore(lastRoundStarted)) {
            round = max(round, Duration.between(lastRoundStarted, lastRoundFinished));
        }
        return max(round.multipliedBy(2), Duration.ofMinutes(1));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * When the initial load read the first of its tables, if it read every table on every configured
     * side (a full round, so the sweep's first waits {@code verify.interval} from it); null otherwise.
     */
    Instant loadRound() {
        List<FullRead> reads = loadReads.get();
        for (PlannedTable t : tables) {
            for (Side side : config.sides()) {
                if (reads.stream().noneMatch(r -> r.table().equals(t.mappedId()) && r.side() == side)) {
                    return null;
                }
            }
        }
        return reads.stream().map(FullRead::at).min(Instant::compareTo).orElse(null);
    }

    /** The tables in this round's order, given their latest complete reads. */
    List<PlannedTable> order(List<FullRead> fullReads) {
        Map<String, Instant> oldest = new HashMap<>();
        Map<String, Integer> sidesRead = new HashMap<>();
        for (FullRead r : fullReads) {
            if (config.sides().contains(r.side())) {
                oldest.merge(r.table(), r.at(), (a, b) -> a.isBefore(b) ? a : b);
                sidesRead.merge(r.table(), 1, Integer::sum);
            }
        }
        Comparator<PlannedTable> byGroup = Comparator.comparingInt(t -> {
            if (sidesRead.getOrDefault(t.mappedId(), 0) < config.sides().size()) {
                return 0;
            }
            TableSummary then = atLastRead.get(t.mappedId());
            TableSummary now = summary(t.mappedId());
            boolean same = then != null && now != null && then.source().equals(now.source()) && then.target().equals(now.target());
            return same ? 2 : 1;
        });
        return tables.stream().sorted(byGroup.thenComparing(t -> oldest.getOrDefault(t.mappedId(), Instant.MIN))).toList();
    }

    /** Notes a table read completely on every side, with its digests as they were when the read began. */
    void readCompletely(String table, TableSummary before) {
        if (before != null) {
            atLastRead.put(table, before);
        }
    }

    /** The table's digests now; null while the stores restore (no order by change this round). */
    TableSummary summary(String table) {
        try {
            return reconciler.view().table(table);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
