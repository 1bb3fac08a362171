package dev.parity.ingest.setup;

import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.PostgresCatalog;
import dev.parity.ingest.jdbc.TableInfo;
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
import java.util.stream.Collectors;

/**
 * What Parity needs on a PostgreSQL server, either side (it captures both): logical decoding and a free
 * replication slot, the heartbeat table (created by Parity on the source; on the target created empty for
 * logical replication to fill, and in the subscription), a replica identity for every watched table, and the
 * grants of a least-privilege user.
 */
final class PostgresSetup {
    private final SideDatabase db;
    private final boolean heartbeats;
    private final PostgresCatalog catalog;

    PostgresSetup(SideDatabase db, boolean heartbeats) {
        this.db = db;
        this.heartbeats = heartbeats;
        this.catalog = new PostgresCatalog(db.endpoint());
    }

    List<SetupStep> steps(Connection c, List<TableInfo> watched) throws SQLException {
        Side side = db.side();
        List<SetupStep> out = new ArrayList<>();
        String wal = single(c, "SHOW wal_level");
        out.add("logical".equals(wal) ? SetupStep.ok(side, "wal_level is logical")
                : SetupStep.missing(side, "wal_level is " + wal + ", logical decoding needs logical", SetupStep.Apply.RESTART,
                "then restart the server", "ALTER SYSTEM SET wal_level = logical"));
        if (!catalog.slotExists(c, db.names().slot())) {
            int max = Integer.parseInt(single(c, "SHOW max_replication_slots"));
            int used = Integer.parseInt(single(c, "SELECT count(*) FROM pg_replication_slots"));
            out.add(used < max ? SetupStep.ok(side, "a free replication slot for " + db.names().slot() + " (" + used + " of " + max + " used)")
                    : SetupStep.missing(side, "no free replication slot for " + db.names().slot() + " (" + used + " of " + max + " used)",
                    SetupStep.Apply.RESTART, "then restart the server", "ALTER SYSTEM SET max_replication_slots = " + (max + 1)));
        }
        String hb = db.heartbeatTable();
        String quoted = PostgresCatalog.quoteQualified(hb);
        if (heartbeats) {
            boolean exists = catalog.tableExists(c, hb);
            if (side == Side.SOURCE) {
                out.add(exists ? SetupStep.ok(side, "heartbeat table " + hb) : SetupStep.missing(side, "heartbeat table " + hb, SetupStep.Apply.SAFE,
                        "Parity writes one row of it once a second", HeartbeatWriter.ddl(quoted),
                        "INSERT INTO " + quoted + " (id, seq, written_at_us) SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM " + quoted + " WHERE id = 1)"));
                out.add(publicationStep(c, hb, quoted));
            } else {
                out.add(exists ? SetupStep.ok(side, "heartbeat table " + hb) : SetupStep.missing(side, "heartbeat table " + hb, SetupStep.Apply.SAFE,
                        "logical replication does not carry DDL: the table must exist here, empty, for your subscription to fill it",
                        HeartbeatWriter.ddl(quoted)));
                out.add(subscriptionStep(c, hb));
            }
        }
        for (TableInfo t : watched) {
            if (t.captureProblem() != null) {
                out.add(SetupStep.missing(side, "replica identity of " + t.qualifiedName(), SetupStep.Apply.YOURS,
                        "your table: Parity does not alter it. " + t.captureProblem(), PostgresCatalog.identityFix(t)));
            }
        }
        out.add(grants(c, watched, hb, quoted));
        return out;
    }

    /** The source's heartbeat table must travel with the user's replication: in their publication, or one FOR ALL TABLES. */
    private SetupStep publicationStep(Connection c, String hb, String quoted) throws SQLException {
        Side side = db.side();
        Map<String, Boolean> pubs = new LinkedHashMap<>(); // name → FOR ALL TABLES
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pubname, puballtables FROM pg_publication ORDER BY 1")) {
            while (rs.next()) {
                if (!rs.getString(1).equals(db.names().publication())) {
                    pubs.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        List<String> all = pubs.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        List<String> covering = catalog.publicationsOf(c, hb, db.names().publication());
        if (!covering.isEmpty() || !all.isEmpty()) {
            return SetupStep.ok(side, "the heartbeat table is replicated by publication " + String.join(", ", covering.isEmpty() ? all : covering));
        }
        if (pubs.isEmpty()) {
            return new SetupStep(side, "no publication on the source: is it the replication source of the target?", SetupStep.State.REVIEW,
                    List.of(), SetupStep.Apply.NONE, "the heartbeat table must reach the target through your replication");
        }
        String pub = pubs.keySet().iterator().next();
        return SetupStep.missing(side, "the heartbeat table in your publication " + pub, SetupStep.Apply.YOURS,
                "your publication: Parity does not change it; then refresh the subscription on the target",
                "ALTER PUBLICATION " + PostgresCatalog.quote(pub) + " ADD TABLE " + quoted);
    }

    /** The target's subscription must include the heartbeat table (after it is created here and published there). */
    private SetupStep subscriptionStep(Connection c, String hb) throws SQLException {
        Side side = db.side();
        List<String> subs = catalog.subscriptions(c);
        if (subs.isEmpty()) {
            return new SetupStep(side, "no subscription on the target: is it a logical-replication subscriber of the source?",
                    SetupStep.State.REVIEW, List.of(), SetupStep.Apply.NONE, "the heartbeat table must reach it through your replication");
        }
        if (catalog.isSubscribed(c, hb)) {
            return SetupStep.ok(side, "the heartbeat table is in subscription " + String.join(", ", subs));
        }
        return SetupStep.missing(side, "the heartbeat table in your subscription " + subs.get(0), SetupStep.Apply.YOURS,
                "your subscription: Parity does not change it (once the table exists here and is published on the source)",
                "ALTER SUBSCRIPTION " + PostgresCatalog.quote(subs.get(0)) + " REFRESH PUBLICATION");
    }

    /**
     * A user with only what Parity needs: to log in and stream (REPLICATION), read the watched tables, write the
     * heartbeat row (source) and own its publication, which only the tables' owner can create.
     */
    private SetupStep grants(Connection c, List<TableInfo> watched, String hb, String quoted) throws SQLException {
        String tables = watched.stream().map(t -> PostgresCatalog.quoteQualified(t.qualifiedName())).collect(Collectors.joining(", "));
        String schemas = watched.stream().map(TableInfo::schema).distinct().map(PostgresCatalog::quote).collect(Collectors.joining(", "));
        String db0 = PostgresCatalog.quote(single(c, "SELECT current_database()"));
        List<String> sql = new ArrayList<>(List.of("CREATE ROLE parity LOGIN REPLICATION PASSWORD '<choose one>'",
                "GRANT CONNECT ON DATABASE " + db0 + " TO parity"));
        if (!schemas.isEmpty()) {
            sql.add("GRANT USAGE ON SCHEMA " + schemas + " TO parity");
            sql.add("GRANT SELECT ON " + tables + " TO parity");
        }
        if (heartbeats) {
            sql.add("GRANT SELECT" + (db.side() == Side.SOURCE ? ", INSERT, UPDATE" : "") + " ON " + quoted + " TO parity");
        }
        sql.add("-- as the owner of the tables (only an owner may publish a table), so that Parity need not own them:");
        sql.add("CREATE PUBLICATION " + PostgresCatalog.quote(db.names().publication()) + " FOR TABLE " + tables
                + (heartbeats ? (tables.isEmpty() ? "" : ", ") + quoted : ""));
        return new SetupStep(db.side(), "a least-privilege user for Parity", SetupStep.State.REVIEW, sql, SetupStep.Apply.YOURS,
                "then set " + db.side().label() + ".user: parity");
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
