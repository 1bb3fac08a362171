package dev.parity.api.alerts;

import dev.parity.api.status.DivergenceStatus;
import dev.parity.api.status.Status;
import dev.parity.api.status.TableStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Decides which alerts a status snapshot calls for. A table that gets DIVERGENT keys alerts at once;
 * further chunks going DIVERGENT are grouped into at most one message per table per interval; a
 * recovery message follows when the table has none left. Replication lag alerts when it crosses the
 * threshold and recovers when it is back under. Not thread-safe: one caller, the monitor.
 */
public final class AlertEvaluator {
    static final int SAMPLE_KEYS = 10;

    private final String instance;
    private final Duration lagThreshold;
    private final Duration groupInterval;
    private final Map<String, TableAlert> tables = new HashMap<>();
    private boolean lagAlerting;
    private boolean staleAlerting;
    /** When this evaluator first ran: a start's STALE is held until {@link #START_GRACE} after it. */
    private Instant firstEvaluation;
    /** Whether a status other than STALE has been seen since then. */
    private boolean everCurrent;
    /**
     * How long a STALE status from the start of a process waits before it alerts. Every start is STALE for its first
     * seconds (the captures have delivered nothing yet, the reconciler is restoring): an alert at every restart would
     * teach operators to ignore the one that matters. One that lasts past this (a database down at start) alerts; after
     * the first status that is not STALE, a STALE alerts at once.
     */
    static final Duration START_GRACE = Duration.ofSeconds(60);

    private static final class TableAlert {
        final Set<Integer> chunks = new TreeSet<>();
        Instant lastSent;
    }

    /** Tables seen divergent whose first message waits for their rows to be read, since when. */
    private final Map<String, Instant> waiting = new java.util.HashMap<>();
    /** Most the first DIVERGENCE message of a table waits for its rows to be read. */
    static final Duration GROUP_WAIT = Duration.ofSeconds(5);

    public AlertEvaluator(String instance, Duration lagThreshold, Duration groupInterval) {
        this.instance = instance;
        this.lagThreshold = lagThreshold;
        this.groupInterval = groupInterval;
    }

    /**
     * @param status      the status of this tick
     * @param divergences table → its mismatched keys as the API lists them
     */
    public List<Alert> evaluate(Instant now, Status status, Function<String, List<DivergenceStatus>> divergences) {
        return evaluate(now, status, divergences, t -> List.of());
    }

    /**
     * @param groups table → the sentences of its divergence groups, largest first (README, "Which column,
     *               and why"); a DIVERGENCE message leads with them. The first message of a table waits up
     *               to {@link #GROUP_WAIT} for its rows to be read, so that it can say what differs.
     */
    public List<Alert> evaluate(Instant now, Status status, Function<String, List<DivergenceStatus>> divergences,
                                Function<String, List<String>> groups) {
        List<Alert> out = new ArrayList<>();
        Double lag = status.replicationLagSeconds();
        if (firstEvaluation == null) {
            firstEvaluation = now;
        }
        if ("STALE".equals(status.state())) {
            // Verdicts reached while a capture is down or stuck prove nothing: say that, hold divergence messages.
            boolean starting = !everCurrent && now.isBefore(firstEvaluation.plus(START_GRACE));
            if (!staleAlerting && !starting) {
                staleAlerting = true;
                Map<String, Object> p = base(now, "STALE", "Parity's view is not current: " + status.reasons(), null, lag);
                p.put("reasons", status.reasons());
                out.add(new Alert("STALE", p));
            }
            return out;
        }
        everCurrent = true;
        if (staleAlerting) {
            staleAlerting = false;
            out.add(new Alert("STALE_RESOLVED", base(now, "STALE_RESOLVED", "both captures and the reconciler are current again", null, lag)));
        }
        for (TableStatus t : status.tables()) {
            String table = t.table();
            long divergent = t.divergentKeys() == null ? 0 : t.divergentKeys();
            TableAlert state = tables.get(table);
            if (divergent > 0) {
                List<DivergenceStatus> keys = divergences.apply(table).stream().filter(d -> "DIVERGENT".equals(d.state())).toList();
                Set<Integer> chunks = new TreeSet<>();
                keys.forEach(d -> chunks.add(d.chunk()));
                boolean first = state == null;
                List<String> sentences = groups.apply(table);
                boolean unread = keys.stream().anyMatch(d -> DivergenceStatus.NOT_READ_YET.equals(d.drilldown()));
                Instant since = first ? waiting.computeIfAbsent(table, k -> now) : null;
                if (first && sentences.isEmpty() && unread && since.plus(GROUP_WAIT).isAfter(now)) {
                    continue; // its rows are being read: the message will say what differs
                }
                waiting.remove(table);
                if (first) {
                    state = new TableAlert();
                    tables.put(table, state);
                }
                boolean news = !state.chunks.containsAll(chunks);
                if (first || (news && !now.isBefore(state.lastSent.plus(groupInterval)))) {
                    state.chunks.addAll(chunks);
                    state.lastSent = now;
                    out.add(divergence(now, table, divergent, chunks, keys, lag, sentences));
                }
            } else if (state != null || waiting.remove(table) != null) {
                if (state == null) {
                    continue; // healed while its first message waited: nothing was said, nothing to resolve
                }
                tables.remove(table);
                out.add(new Alert("DIVERGENCE_RESOLVED", base(now, "DIVERGENCE_RESOLVED", table + " has no divergent key left", table, lag)));
            }
        }
        if (lag != null && lag > seconds(lagThreshold) && !lagAlerting) {
            lagAlerting = true;
            Map<String, Object> p = base(now, "REPLICATION_LAG", "replication lag " + lag + " s is above " + seconds(lagThreshold) + " s", null, lag);
            p.put("thresholdSeconds", seconds(lagThreshold));
            out.add(new Alert("REPLICATION_LAG", p));
        } else if (lagAlerting && lag != null && lag <= seconds(lagThreshold)) {
            lagAlerting = false;
            Map<String, Object> p = base(now, "REPLICATION_LAG_RESOLVED", "replication lag " + lag + " s is back under " + seconds(lagThreshold) + " s", null, lag);
            p.put("thresholdSeconds", seconds(lagThreshold));
            out.add(new Alert("REPLICATION_LAG_RESOLVED", p));
        }
        return out;
    }

    private Alert divergence(Instant now, String table, long divergent, Set<Integer> chunks, List<DivergenceStatus> keys, Double lag,
                             List<String> sentences) {
        String counts = divergent + " key(s) of " + table + " differ on the target (DIVERGENT) in " + chunks.size() + " chunk(s)";
        Map<String, Object> p = base(now, "DIVERGENCE", sentences.isEmpty() ? counts : sentences.get(0) + " (" + counts + ")", table, lag);
        p.put("groups", List.copyOf(sentences));
        p.put("keyCount", divergent);
        p.put("chunks", List.copyOf(chunks));
        p.put("sampleKeys", keys.stream().limit(SAMPLE_KEYS).map(DivergenceStatus::key).toList());
        p.put("firstSeen", keys.stream().map(DivergenceStatus::firstSeen).min(Instant::compareTo).map(Instant::toString).orElse(null));
        return new Alert("DIVERGENCE", p);
    }

    private Map<String, Object> base(Instant now, String type, String message, String table, Double lag) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", type);
        p.put("parity", instance);
        p.put("at", now.toString());
        if (table != null) {
            p.put("table", table);
        }
        p.put("message", message);
        p.put("replicationLagSeconds", lag);
        return p;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
