package dev.parity.reconciler.rules;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.TableSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The readiness checks (README, "The readiness gate"): each one a pure function from the facts the gate
 * gathered as of its fence to a {@link Check}, and {@link #ready} the verdict over all of them. The gate
 * writes the fence, waits for it and reads the databases; the rules are here.
 *
 * <p>Fail-safe: READY only when the fence came back (decided), at least one table is watched and
 * verified, and every check passed. Anything that could not be looked at is UNKNOWN, which is not a pass.
 */
public final class ReadinessChecks {
    /** A capture must have delivered a heartbeat (or, without heartbeats, anything) this recently to be live. */
    public static final Duration LIVE_WITHIN = Duration.ofSeconds(10);
    /** The check that says what was watched; {@link #ready} requires it to pass. */
    public static final String TABLES = "tables";

    private ReadinessChecks() {
    }

    /** READY: decided, the {@value #TABLES} check present and passed, and every other check passed too. */
    public static boolean ready(boolean decided, List<Check> checks) {
        return decided && checks.stream().anyMatch(c -> c.name().equals(TABLES) && c.passed()) && checks.stream().allMatch(Check::passed);
    }

    /** Whether anything was watched: zero tables verify nothing, so they are never ready. */
    public static Check tables(int watched, int verified) {
        Map<String, Object> ev = Map.of("watched", watched, "verified", verified);
        if (watched == 0) {
            return Check.fail(TABLES, "no table is watched: nothing has been verified (check tables.include)", ev);
        }
        return verified == watched ? Check.pass(TABLES, watched + " table(s) watched, all verified", ev)
                : Check.fail(TABLES, (watched - verified) + " of " + watched + " watched table(s) not verified", ev);
    }

    public static Check fenceLag(double lagSeconds, Duration maxLag) {
        Map<String, Object> ev = Map.of("lagSeconds", lagSeconds);
        return lagSeconds <= maxLag.toMillis() / 1000.0
                ? Check.pass("fence-lag", "fence round trip " + lagSeconds + " s ≤ " + maxLag.toSeconds() + " s", ev)
                : Check.fail("fence-lag", "fence round trip " + lagSeconds + " s > " + maxLag.toSeconds() + " s", ev);
    }

    public static Check divergentKeys(long count, List<String> sample) {
        return count == 0 ? Check.pass("divergent-keys", "no DIVERGENT key", Map.of("divergentKeys", 0))
                : Check.fail("divergent-keys", count + " DIVERGENT key(s)", Map.of("divergentKeys", count, "sample", sample));
    }

    public static Check pendingKeys(long changedBeforeFence, List<String> sample) {
        return changedBeforeFence == 0 ? Check.pass("pending-keys", "no PENDING key changed before the fence", Map.of("pendingBeforeFence", 0))
                : Check.fail("pending-keys", changedBeforeFence + " key(s) changed before the fence still have no verdict",
                        Map.of("pendingBeforeFence", changedBeforeFence, "sample", sample));
    }

    /**
     * One table as of the fence: equal counts and digests pass; so do digests that differ only by keys
     * changed after the fence (still replicating, no DIVERGENT key); anything else fails.
     *
     * @param unverified         why the table is not verified; null when it is
     * @param pendingBeforeFence whether any of its keys changed before the fence still has no verdict
     */
    public static Check table(String table, String unverified, TableSummary s, boolean pendingBeforeFence) {
        String name = "table " + table;
        if (unverified != null) {
            return Check.unknown(name, "not verified: " + unverified);
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("sourceRows", s.source().count());
        ev.put("targetRows", s.target().count());
        ev.put("sourceDigest", s.source().sum().toHex());
        ev.put("targetDigest", s.target().sum().toHex());
        if (s.source().equals(s.target()) && s.divergentKeys() == 0) {
            return Check.pass(name, "row counts and digests equal", ev);
        }
        if (s.divergentKeys() == 0 && !pendingBeforeFence) {
            ev.put("inFlightAfterFence", s.pendingKeys());
            return Check.pass(name, "equal as of the fence; " + s.pendingKeys() + " key(s) changed after it are still replicating", ev);
        }
        return Check.fail(name, "row counts or digests differ", ev);
    }

    public static Check schema(List<String> differences) {
        return differences.isEmpty() ? Check.pass("schema", "structures match", Map.of())
                : Check.fail("schema", differences.size() + " structural difference(s)", Map.of("differences", differences));
    }

    /**
     * Every table the filter names is watched: one created or renamed since Parity planned its tables is unverified, so
     * no READY while there is one (planned again within seconds by a single instance; by a restart otherwise).
     *
     * @param unwatched the tables the filter names now that Parity does not watch
     */
    public static Check watchedTables(List<String> unwatched) {
        return unwatched.isEmpty() ? Check.pass("watched-tables", "every table the filter names is watched", Map.of())
                : Check.fail("watched-tables", unwatched.size() + " table(s) the filter names are not watched yet (created or renamed since"
                + " Parity planned its tables): " + String.join(", ", unwatched), Map.of("tables", unwatched));
    }

    /** @param risky the setting differences that change data, in words */
    public static Check settings(List<String> risky) {
        return risky.isEmpty() ? Check.pass("settings", "no setting differs in a way that changes data", Map.of())
                : Check.fail("settings", risky.size() + " setting difference(s) that change data", Map.of("differences", risky));
    }

    /** @param source migration-history table → its rows, as text (the same for {@code target}) */
    public static Check migrationHistory(Map<String, List<String>> source, Map<String, List<String>> target) {
        return Objects.equals(source, target)
                ? Check.pass("migration-history", source.isEmpty() ? "no migration-history table on either side" : "equal: " + source.keySet(), Map.of())
                : Check.fail("migration-history", "differs: source " + counts(source) + ", target " + counts(target), Map.of());
    }

    private static String counts(Map<String, List<String>> m) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        m.forEach((k, v) -> counts.put(k, v.size()));
        return counts.toString();
    }

    /** @param orphans each foreign key with orphaned rows, in words; {@code count} their rows in all */
    public static Check foreignKeyOrphans(long count, List<String> orphans) {
        return orphans.isEmpty() ? Check.pass("foreign-key-orphans", "no orphaned foreign-key rows on the target", Map.of())
                : Check.fail("foreign-key-orphans", count + " orphaned row(s) on the target", Map.of("orphans", orphans));
    }

    /** Parity's own initial load: it must have been applied before anything loaded can be called equal. */
    public static Check baseline(Instant finishedAt, String activity, String problem) {
        return finishedAt != null
                ? Check.pass("baseline", "initial load by Parity finished at " + finishedAt, Map.of("finishedAt", finishedAt.toString()))
                : Check.fail("baseline", "initial load by Parity not finished: " + activity + (problem == null ? "" : " (" + problem + ")"), Map.of());
    }

    /**
     * The latest read of one table on one side: complete (by the initial load or a sweep round), or
     * the sweep's latest attempt and why it did not complete.
     *
     * @param finishedAt when the complete read ended; null when there is none
     * @param by         who read it ({@code initial load}, {@code sweep round N})
     * @param problem    why the latest attempt did not complete; null when it did
     */
    public record TableRead(String table, Side side, Instant finishedAt, long rowsRead, String by, String problem) {
    }

    /**
     * Writes no change log records (MySQL/MariaDB {@code sql_log_bin = 0}, in-place ALTER, TRUNCATE)
     * are only found by reading a table completely: every verified table must have been read
     * completely, on every configured side, within {@code maxAge} — by Parity's initial load (which
     * compares every row of both sides) or by the verification sweep. What a read found is judged like
     * any change, so it shows in divergent-keys.
     *
     * @param disabled why the sweep cannot run; null when it can
     * @param tables   the verified tables (mapped ids)
     * @param reads    the latest read of each table on each side
     * @param maxAge   how old the oldest complete read may be
     */
    public static Check reread(String disabled, List<String> tables, List<Side> sides, List<TableRead> reads, Duration maxAge, Instant now) {
        if (disabled != null) {
            return Check.unknown("reread", "tables cannot be re-read: " + disabled);
        }
        Map<String, TableRead> latest = new LinkedHashMap<>();
        reads.forEach(r -> latest.put(r.table() + " on the " + r.side().label(), r));
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        TableRead oldest = null;
        long rows = 0;
        for (String t : tables) {
            for (Side side : sides) {
                String where = t + " on the " + side.label();
                TableRead r = latest.get(where);
                if (r == null || r.finishedAt() == null) {
                    missing.add(where + (r == null || r.problem() == null ? ": not yet read completely" : ": " + r.problem()));
                    continue;
                }
                Duration age = Duration.between(r.finishedAt(), now);
                if (age.compareTo(maxAge) > 0) {
                    stale.add(where + ": last read completely " + age.toSeconds() + " s ago by the " + r.by()
                            + (r.problem() == null ? "" : "; since then: " + r.problem()));
                }
                rows += r.rowsRead();
                oldest = oldest == null || r.finishedAt().isBefore(oldest.finishedAt()) ? r : oldest;
            }
        }
        if (!missing.isEmpty() || !stale.isEmpty()) {
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("maxAgeSeconds", maxAge.toSeconds());
            if (!missing.isEmpty()) {
                ev.put("notRead", missing);
            }
            if (!stale.isEmpty()) {
                ev.put("tooOld", stale);
            }
            String why = !missing.isEmpty() ? missing.size() + " table read(s) not complete" : stale.size() + " table read(s) older than "
                    + maxAge.toSeconds() + " s (verify.maxAge)";
            return Check.unknown("reread", why + ", so writes no change log recorded are not ruled out there: "
                    + (missing.isEmpty() ? stale : missing).get(0), ev);
        }
        String age = oldest == null ? "n/a" : Duration.between(oldest.finishedAt(), now).toSeconds() + " s";
        return Check.pass("reread", "every table read completely on " + sides.stream().map(Side::label).toList() + " within "
                + maxAge.toSeconds() + " s (" + rows + " rows; oldest: " + (oldest == null ? "none" : oldest.table() + " on the "
                + oldest.side().label() + ", " + age + " ago by the " + oldest.by()) + ")",
                Map.of("rowsReread", rows, "oldestRereadAt", oldest == null ? "" : oldest.finishedAt().toString(), "maxAgeSeconds", maxAge.toSeconds()));
    }

    /**
     * One capture as the gate sees it.
     *
     * @param phase     as status shows it
     * @param last      when it last delivered one of Parity's heartbeats (without heartbeats: anything); null if never
     * @param error     why it failed; null while healthy
     */
    public record Liveness(Side side, CapturePhase phase, boolean connected, Instant last, String error) {
    }

    /**
     * Both captures streaming and advancing: with heartbeats, each must have delivered one of Parity's
     * heartbeats within {@link #LIVE_WITHIN} (a connector that keeps reconnecting still emits its own
     * heartbeats, which prove nothing about the stream); without, it must have delivered anything.
     */
    public static Check capturesLive(List<Liveness> captures, boolean heartbeats, Instant now) {
        List<String> dead = new ArrayList<>();
        for (Liveness c : captures) {
            Instant last = c.last();
            if (c.phase() != CapturePhase.STREAMING || !c.connected() || last == null
                    || Duration.between(last, now).compareTo(LIVE_WITHIN) > 0) {
                dead.add(c.side().label() + " (" + c.phase() + (c.connected() ? "" : ", connection lost")
                        + (last == null ? ", nothing delivered" : ", last " + (heartbeats ? "heartbeat" : "event") + " "
                        + Duration.between(last, now).toSeconds() + " s ago") + (c.error() == null ? "" : ": " + c.error()) + ")");
            }
        }
        return dead.isEmpty() ? Check.pass("captures-live", "both captures streaming and delivering " + (heartbeats ? "heartbeats" : "events")
                + " within the last " + LIVE_WITHIN.toSeconds() + " s", Map.of())
                : Check.fail("captures-live", "not live: " + String.join(", ", dead), Map.of());
    }
}
