package dev.parity.ingest.setup;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What Parity needs on a MySQL or MariaDB server, either side (it reads both binlogs): the binlog on, in ROW
 * format with full row images, a replica that logs what it applies, the heartbeat table on the source
 * (replication carries it, DDL included, to the target), and the grants of a least-privilege user.
 */
final class BinlogSetup {
    private final SideDatabase db;
    private final boolean heartbeats;

    BinlogSetup(SideDatabase db, boolean heartbeats) {
        this.db = db;
        this.heartbeats = heartbeats;
    }

    List<SetupStep> steps(Connection c, List<TableInfo> watched) throws SQLException {
        Side side = db.side();
        boolean maria = db.adapter().engine() == Engine.MARIADB;
        Map<String, String> v = variables(c);
        List<SetupStep> out = new ArrayList<>();
        out.add("ON".equalsIgnoreCase(v.get("log_bin")) ? SetupStep.ok(side, "the binlog is on")
                : SetupStep.missing(side, "the binlog is off", SetupStep.Apply.RESTART, "set log_bin (and a unique server_id) in the server's"
                + " configuration and restart it"));
        out.add(setting(v, "binlog_format", "ROW"));
        out.add(setting(v, "binlog_row_image", "FULL"));
        if (side == Side.TARGET) {
            String name = maria ? "log_slave_updates" : "log_replica_updates";
            String value = v.getOrDefault("log_replica_updates", v.get("log_slave_updates"));
            out.add("ON".equalsIgnoreCase(value) ? SetupStep.ok(side, name + " is ON")
                    : SetupStep.missing(side, name + " is " + value + ": the replica's binlog would not show what replication applies",
                    SetupStep.Apply.RESTART, "set " + name + "=ON in the server's configuration and restart it"));
        }
        String hb = db.heartbeatTable();
        if (heartbeats) {
            boolean exists = tableExists(c, hb);
            String quoted = quote(hb);
            if (side == Side.SOURCE) {
                out.add(exists ? SetupStep.ok(side, "heartbeat table " + hb) : SetupStep.missing(side, "heartbeat table " + hb, SetupStep.Apply.SAFE,
                        "Parity writes one row of it once a second; replication carries the table and its row to the target",
                        HeartbeatWriter.ddl(quoted), "INSERT IGNORE INTO " + quoted + " (id, seq, written_at_us) VALUES (1, 0, 0)"));
            } else {
                out.add(exists ? SetupStep.ok(side, "heartbeat table " + hb) : SetupStep.missing(side, "heartbeat table " + hb, SetupStep.Apply.NONE,
                        "created on the source, it arrives here by replication (check replication is running)"));
            }
        }
        List<String> sql = new ArrayList<>(List.of("CREATE USER 'parity'@'%' IDENTIFIED BY '<choose one>'",
                "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, " + (maria ? "BINLOG MONITOR" : "REPLICATION CLIENT") + " ON *.* TO 'parity'@'%'"));
        if (heartbeats && side == Side.SOURCE) {
            sql.add("GRANT INSERT, UPDATE ON " + quote(hb) + " TO 'parity'@'%'");
        }
        out.add(new SetupStep(side, "a least-privilege user for Parity", SetupStep.State.REVIEW, sql, SetupStep.Apply.YOURS,
                "then set " + side.label() + ".user: parity (SELECT on *.* lets it read the watched tables; narrow it to their databases if you"
                + " prefer: " + String.join(", ", watched.stream().map(TableInfo::schema).distinct().toList()) + ")"));
        return out;
    }

    private SetupStep setting(Map<String, String> v, String name, String needed) {
        Side side = db.side();
        return needed.equalsIgnoreCase(v.get(name)) ? SetupStep.ok(side, name + " is " + needed)
                : SetupStep.missing(side, name + " is " + v.get(name) + ", Parity needs " + needed, SetupStep.Apply.YOURS,
                "a server-wide setting: also put " + name + "=" + needed + " in the server's configuration so a restart keeps it",
                "SET GLOBAL " + name + " = '" + needed + "'");
    }

    private static Map<String, String> variables(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN"
                + " ('log_bin', 'binlog_format', 'binlog_row_image', 'log_slave_updates', 'log_replica_updates')")) {
            while (rs.next()) {
                out.put(rs.getString(1).toLowerCase(java.util.Locale.ROOT), rs.getString(2));
            }
        }
        return out;
    }

    private static boolean tableExists(Connection c, String qualified) throws SQLException {
        int dot = qualified.indexOf('.');
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, qualified.substring(0, dot));
            ps.setString(2, qualified.substring(dot + 1));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String quote(String qualified) {
        int dot = qualified.indexOf('.');
        return "`" + qualified.substring(0, dot).replace("`", "``") + "`.`" + qualified.substring(dot + 1).replace("`", "``") + "`";
    }
}
