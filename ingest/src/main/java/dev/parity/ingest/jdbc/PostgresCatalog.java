package dev.parity.ingest.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL introspection and the objects Parity creates there (its publication, its slot).
 * Every statement runs on a connection the caller owns.
 */
public final class PostgresCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCatalog.class);
    private static final String TABLES = """
            SELECT n.nspname, c.relname,
                   (SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum))
                      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                     WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
                   c.relreplident,
                   (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid = c.oid AND i.indisreplident) AS identity_index,
                   (SELECT string_agg(ic.relname || ':' || (SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum))
                                                              FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey)), ';')
                      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid = c.oid AND i.indisunique AND NOT i.indisprimary AND i.indisvalid AND i.indimmediate
                       AND i.indpred IS NULL AND i.indexprs IS NULL
                       AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey) AND NOT a.attnotnull)) AS uniques
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
             ORDER BY 1, 2""";

    private final Endpoint endpoint;

    public PostgresCatalog(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Fails with the setting to change unless the server can decode its WAL logically. */
    public void requireLogicalDecoding(Connection c) throws SQLException {
        String level = single(c, "SHOW wal_level");
        if (!"logical".equals(level)) {
            throw new DatabaseException("the " + endpoint + " has wal_level=" + level
                    + "; Parity captures changes by logical decoding: set wal_level = logical in postgresql.conf"
                    + " (ALTER SYSTEM SET wal_level = logical) and restart the server");
        }
    }

    public List<TableInfo> tables(Connection c, TableFilter filter) throws SQLException {
        List<TableInfo> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                String qualified = rs.getString(1) + "." + rs.getString(2);
                if (filter.matches(qualified)) {
                    out.add(table(rs.getString(1), rs.getString(2), columns(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
        }
        return out;
    }

    /**
     * A table and the key Parity identifies its rows by, given its replica identity: what its UPDATE and
     * DELETE events carry of the old row. A table in a publication that has none (no primary key under
     * {@code REPLICA IDENTITY DEFAULT}, or {@code NOTHING}) can no longer be updated or deleted from at all,
     * so such a table gets a capture problem instead of a place in Parity's publication (README, "What
     * Parity creates").
     */
    static TableInfo table(String schema, String name, List<String> pk, String replicaIdentity, String identityIndex, String uniques) {
        Map<String, List<String>> unique = new java.util.TreeMap<>();
        if (uniques != null) {
            for (String u : uniques.split(";")) {
                int colon = u.lastIndexOf(':');
                unique.put(u.substring(0, colon), columns(u.substring(colon + 1)));
            }
        }
        String fix = switch (replicaIdentity == null ? "d" : replicaIdentity) {
            case "n" -> "REPLICA IDENTITY NOTHING";
            case "d" -> pk.isEmpty() ? "no primary key and REPLICA IDENTITY DEFAULT" : null;
            default -> null;
        };
        if ("i".equals(replicaIdentity) && pk.isEmpty() && unique.containsKey(identityIndex)) {
            unique = Map.of(identityIndex, unique.get(identityIndex)); // the key its events carry
        }
        if (pk.isEmpty() && unique.isEmpty()) {
            return new TableInfo(schema, name, List.of(), null, "f".equals(replicaIdentity) ? null
                    : "it has no key (no primary key or unique index over NOT NULL columns), so Parity compares its rows by content,"
                    + " which needs every UPDATE and DELETE to carry the whole old row: run "
                    + identityFix(new TableInfo(schema, name, List.of())) + " on this database (Parity does not alter your tables, and does not publish one"
                    + " without a replica identity: in a publication its UPDATEs and DELETEs would fail)");
        }
        if (fix == null) {
            return TableInfo.choose(schema, name, pk, unique, null);
        }
        TableInfo t = TableInfo.choose(schema, name, pk, unique, null);
        String remedy = identityFix(t) + (pk.isEmpty() ? " (or REPLICA IDENTITY FULL)" : "");
        return new TableInfo(schema, name, t.key(), t.keyIndex(), "it has no replica identity (" + fix + "): in a publication every UPDATE"
                + " and DELETE on it would fail, so Parity does not publish it. To let Parity watch it, run " + remedy
                + " on this database (Parity does not alter your tables)");
    }

    /**
     * The statement that gives a table the replica identity Parity needs to capture it: its whole row for a table
     * without key, its primary key, or the unique index Parity identifies its rows by.
     */
    public static String identityFix(TableInfo t) {
        String qualified = quoteQualified(t.qualifiedName());
        return !t.keyed() ? "ALTER TABLE " + qualified + " REPLICA IDENTITY FULL"
                : t.keyIndex() == null ? "ALTER TABLE " + qualified + " REPLICA IDENTITY DEFAULT"
                : "ALTER TABLE " + qualified + " REPLICA IDENTITY USING INDEX " + quote(t.keyIndex());
    }

    private static List<String> columns(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }

    /**
     * Creates or updates Parity's publication to cover exactly {@code tables}. Callers pass tables with a
     * replica identity only ({@link #table}): publishing a table with none makes UPDATE and DELETE on it fail,
     * which on a subscriber stops the very replication Parity watches.
     */
    public void ensurePublication(Connection c, String publication, List<String> qualifiedTables) throws SQLException {
        String list = qualifiedTables.stream().map(PostgresCatalog::quoteQualified).collect(Collectors.joining(", "));
        boolean exists = exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication);
        if (exists && publishedTables(c, publication).equals(new java.util.TreeSet<>(qualifiedTables))) {
            // Already what is needed: no DDL. A publication created by the tables' owner for a least-privilege
            // Parity user (which may not alter it: README, "Setting up: parity setup") stays as it is.
            LOG.info("publication {} on the {} already covers the {} tables", publication, endpoint, qualifiedTables.size());
            return;
        }
        String sql = exists
                ? "ALTER PUBLICATION " + quote(publication) + " SET TABLE " + list
                : "CREATE PUBLICATION " + quote(publication) + " FOR TABLE " + list;
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            // Only the tables' owner (with CREATE on the database) may publish them: a least-privilege user cannot.
            throw new DatabaseException("cannot " + (exists ? "alter" : "create") + " publication " + publication + " on the " + endpoint + " ("
                    + e.getMessage().trim() + "): run it as the owner of the tables: " + sql + " (parity setup -c FILE prints it)", e);
        }
        LOG.info("{} publication {} on the {} covers {} tables", exists ? "updated" : "created", publication, endpoint, qualifiedTables.size());
    }

    private static java.util.Set<String> publishedTables(Connection c, String publication) throws SQLException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    public boolean publicationExists(Connection c, String publication) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication);
    }

    public boolean slotExists(Connection c, String slot) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot);
    }

    public boolean tableExists(Connection c, String qualified) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_tables WHERE schemaname || '.' || tablename = ?", qualified);
    }

    /** Publications other than {@code except} that publish the table: how it reaches the target. */
    public List<String> publicationsOf(Connection c, String qualified, String except) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pubname FROM pg_publication_tables WHERE schemaname || '.' || tablename = ? AND pubname <> ? ORDER BY 1")) {
            ps.setString(1, qualified);
            ps.setString(2, except);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Names of this server's subscriptions (empty when it is not a logical-replication subscriber). */
    public List<String> subscriptions(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Whether some subscription of this server replicates the table into it. */
    public boolean isSubscribed(Connection c, String qualified) throws SQLException {
        return exists(c, "SELECT 1 FROM pg_subscription_rel r JOIN pg_class t ON t.oid = r.srrelid "
                + "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname || '.' || t.relname = ?", qualified);
    }

    /** The replication slots (on the publisher) of the subscriptions that replicate the table into this server. */
    public List<String> subscriptionSlotsOf(Connection c, String qualified) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT s.subslotname FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid"
                + " JOIN pg_class t ON t.oid = r.srrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname || '.' || t.relname = ?")) {
            ps.setString(1, qualified);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Whether the publisher's slot has been confirmed flushed by its subscriber up to {@code lsn}: everything the
     * publisher wrote before it has been applied on the subscriber. False when no such slot is here.
     */
    public boolean slotConfirmedPast(Connection c, String slot, String lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, lsn);
            ps.setString(2, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    public void dropPublication(Connection c, String publication) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + quote(publication));
        }
    }

    public void dropSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public static String quoteQualified(String qualified) {
        int dot = qualified.indexOf('.');
        return quote(qualified.substring(0, dot)) + "." + quote(qualified.substring(dot + 1));
    }
}
