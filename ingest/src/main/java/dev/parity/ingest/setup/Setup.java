package dev.parity.ingest.setup;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.side.TablePlanner;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code parity setup}: inspects both servers for everything Parity needs (README, "Setting up: parity setup") and
 * says per side what is there and what is missing, as SQL to review; applies, when asked, only the statements
 * that create Parity's own objects ({@link SetupStep.Apply#SAFE}). Reads nothing but catalogs and settings.
 */
public final class Setup {
    private Setup() {
    }

    /** What each side has and lacks, in the order to act on it. */
    public static Map<Side, List<SetupStep>> inspect(IngestConfig config) throws SQLException {
        SideDatabase source = new SideDatabase(config, Side.SOURCE);
        SideDatabase target = new SideDatabase(config, Side.TARGET);
        try (Connection s = source.endpoint().connect(); Connection t = target.endpoint().connect()) { // one connection per side
            Map<Side, SideDatabase> dbs = Map.of(Side.SOURCE, source, Side.TARGET, target);
            Map<Side, Connection> connections = Map.of(Side.SOURCE, s, Side.TARGET, t);
            Map<Side, List<TableInfo>> tables = new EnumMap<>(Side.class);
            for (Side side : Side.values()) {
                tables.put(side, dbs.get(side).adapter().tables(connections.get(side)));
            }
            List<PlannedTable> planned = TablePlanner.plan(config.tables(), source.heartbeatTable(), tables.get(Side.SOURCE), tables.get(Side.TARGET));
            Map<Side, List<SetupStep>> out = new EnumMap<>(Side.class);
            for (Side side : Side.values()) {
                SideDatabase db = dbs.get(side);
                List<TableInfo> watched = new ArrayList<>();
                for (PlannedTable p : planned) {
                    tables.get(side).stream().filter(i -> i.qualifiedName().equals(p.name(side))).findFirst().ifPresent(watched::add);
                }
                out.put(side, db.adapter().engine() == Engine.POSTGRESQL
                        ? new PostgresSetup(db, config.heartbeat().enabled()).steps(connections.get(side), watched)
                        : new BinlogSetup(db, config.heartbeat().enabled()).steps(connections.get(side), watched));
            }
            return out;
        }
    }

    /**
     * Runs a step's statements on its side, in order; returns null when done, else the database's error. Only
     * {@link SetupStep.Apply#SAFE} steps (Parity's own objects) and, when the user asked for them by name
     * ({@code --apply-all}), {@link SetupStep.Apply#YOURS} steps that are missing: never a restart, never
     * advice (the least-privilege user is the user's to create, with a password of their choosing).
     */
    public static String apply(IngestConfig config, SetupStep step) {
        boolean runnable = step.apply() == SetupStep.Apply.SAFE || step.apply() == SetupStep.Apply.YOURS && step.missing();
        if (!runnable) {
            throw new IllegalArgumentException("not Parity's to apply: " + step.what());
        }
        SideDatabase db = new SideDatabase(config, step.side());
        try (Connection c = db.endpoint().connect(); Statement st = c.createStatement()) {
            for (String sql : step.sql()) {
                st.execute(sql);
            }
            return null;
        } catch (SQLException e) {
            return e.getMessage().trim();
        }
    }
}
