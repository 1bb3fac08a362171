package dev.parity.ingest.inspect;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.PostgresCatalog;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Parity created in the watched databases, listed and dropped by {@code parity cleanup} (README, "What Parity
 * creates in your databases"). Parity must be stopped.
 *
 * <p>The heartbeat table {@code parity setup} creates on a PostgreSQL target is the delicate one: the user's
 * subscription may replicate it, and a subscriber asked to apply a change to a table it no longer has stops
 * replicating everything. So it is dropped last, only once the source's table is gone and the subscription's slot on
 * the source confirms the subscriber has applied everything written before that drop; otherwise it stays, and the
 * answer says why and what to run.
 */
public final class Cleanup {
    /** How long to wait for the target's subscription to apply the source's drop before leaving its table in place. */
    private static final long APPLIED_WAIT_MS = 30_000;

    private Cleanup() {
    }

    /** What Parity created on each side ("source jdbc:…" → descriptions), for {@code parity cleanup}. */
    public static Map<String, List<String>> list(IngestConfig config) throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Side side : Side.values()) {
            SideDatabase s = new SideDatabase(config, side);
            try (var c = s.endpoint().connect()) {
                out.put(s.endpoint().toString(), s.adapter().created(c, s.names(), s.heartbeatTable()));
            }
        }
        return out;
    }

    /** Drops what {@link #list} lists; returns what was left in place and why (empty when everything went). */
    public static List<String> drop(IngestConfig config) throws SQLException {
        return drop(config, true);
    }

    /**
     * Drops what {@link #list} lists, the target's capture first, then the source's, then (if {@code heartbeatTable})
     * the heartbeat tables, the target's last and only when safe (above). Returns what was left in place and why.
     */
    public static List<String> drop(IngestConfig config, boolean heartbeatTable) throws SQLException {
        SideDatabase target = new SideDatabase(config, Side.TARGET);
        SideDatabase source = new SideDatabase(config, Side.SOURCE);
        try (var c = target.endpoint().connect()) {
            target.adapter().dropCreated(c, target.names(), null);
        }
        String droppedAt = null;
        try (var c = source.endpoint().connect()) {
            source.adapter().dropCreated(c, source.names(), heartbeatTable ? source.heartbeatTable() : null);
            if (source.adapter().engine() == Engine.POSTGRESQL) {
                droppedAt = single(c, "SELECT pg_current_wal_lsn()::text");
            }
        }
        List<String> left = new ArrayList<>();
        if (heartbeatTable && target.adapter().engine() == Engine.POSTGRESQL) {
            String why = dropTargetHeartbeat(source, target, droppedAt);
            if (why != null) {
                left.add(why);
            }
        }
        return left;
    }

    private static String dropTargetHeartbeat(SideDatabase source, SideDatabase target, String droppedAt) throws SQLException {
        PostgresCatalog catalog = new PostgresCatalog(target.endpoint());
        String hb = target.heartbeatTable();
        try (Connection t = target.endpoint().connect()) {
            if (!catalog.tableExists(t, hb)) {
                return null;
            }
            List<String> slots = catalog.subscriptionSlotsOf(t, hb);
            if (!slots.isEmpty()) {
                String again = "table " + hb + " stays on the target: ";
                if (droppedAt == null) {
                    return again + "a subscription replicates it from a server other than the source; drop it once no change to it can arrive";
                }
                if (!applied(source, slots, droppedAt)) {
                    return again + "its subscription (slot " + String.join(", ", slots) + " on the source) has not applied the source's drop within "
                            + APPLIED_WAIT_MS / 1000 + " s (replication lag, or the slot is elsewhere); run parity cleanup again later";
                }
            }
            try (Statement st = t.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + PostgresCatalog.quoteQualified(hb));
            }
            return null;
        }
    }

    /** Waits (bounded) until every slot on the source has been confirmed by its subscriber past {@code lsn}. */
    private static boolean applied(SideDatabase source, List<String> slots, String lsn) throws SQLException {
        PostgresCatalog catalog = new PostgresCatalog(source.endpoint());
        long deadline = System.currentTimeMillis() + APPLIED_WAIT_MS;
        try (Connection s = source.endpoint().connect()) {
            while (true) {
                boolean all = true;
                for (String slot : slots) {
                    all &= catalog.slotConfirmedPast(s, slot, lsn);
                }
                if (all) {
                    return true;
                }
                if (System.currentTimeMillis() > deadline) {
                    return false;
                }
                try {
                    Thread.sleep(200); // polling a server's catalog; the subscriber confirms on its own schedule
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
