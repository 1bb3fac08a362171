package dev.parity.ingest.side;

import dev.parity.ingest.IngestConfig;
import dev.parity.reconciler.model.Side;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Both databases readied and their tables planned: what {@code parity run} and {@code parity connect-config} do
 * first, in this order. {@link #of} connects to both sides, creates the heartbeat table where Parity may
 * (README, "What Parity creates in your databases") and plans the watched tables; {@link #readyCapture} then
 * readies each side for capturing the verified ones (the publication on PostgreSQL).
 *
 * @param tables every table Parity was asked to watch, verified or not (with the reason)
 */
public record SidePlan(IngestConfig config, Databases databases, List<PlannedTable> tables) {
    public SidePlan {
        tables = List.copyOf(tables);
    }

    /**
     * @param problems   receives the setup problems that do not stop Parity but keep verdicts from being reached
     * @param unverified receives each table not verified, with why (its own status says so too)
     */
    public static SidePlan of(IngestConfig config, Consumer<String> problems, Consumer<String> unverified) throws Exception {
        boolean beats = config.heartbeat().enabled();
        Databases databases = new Databases(new SideDatabase(config, Side.SOURCE), new SideDatabase(config, Side.TARGET));
        databases.source().prepare(beats).forEach(problems);
        databases.target().prepare(beats).forEach(problems);
        List<PlannedTable> tables = TablePlanner.plan(config.tables(), databases.source().heartbeatTable(), databases.source().tables(),
                databases.target().tables());
        tables.stream().filter(t -> !t.captured()).forEach(t -> unverified.accept("table " + t.mappedId() + " is not verified: " + t.problem()));
        SidePlan plan = new SidePlan(config, databases, tables);
        plan.requirePrivileges();
        return plan;
    }

    /**
     * Refuses to start, listing every privilege the configured users lack on either side with the GRANT that gives
     * it, rather than failing later one capture or one read at a time (README, "Setting up: parity setup").
     */
    private void requirePrivileges() throws java.sql.SQLException {
        List<String> missing = new java.util.ArrayList<>();
        for (Side side : Side.values()) {
            for (String m : databases.of(side).missingPrivileges(verified().stream().map(t -> t.name(side)).toList())) {
                missing.add("on the " + side.label() + ": " + m);
            }
        }
        if (!missing.isEmpty()) {
            throw new dev.parity.ingest.jdbc.DatabaseException("the database user lacks what Parity needs (permission denied):\n  "
                    + String.join("\n  ", missing) + "\n(parity setup -c FILE prints every grant of a least-privilege user)");
        }
    }

    /** The verified tables: those both captures stream and the reconciler compares. */
    public List<PlannedTable> verified() {
        return tables.stream().filter(PlannedTable::captured).toList();
    }

    /** Readies both sides for capturing the verified tables; returns each side's capture list (the heartbeat table included). */
    public Map<Side, List<String>> readyCapture() throws Exception {
        boolean beats = config.heartbeat().enabled();
        Map<Side, List<String>> lists = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            SideDatabase db = databases.of(side);
            List<String> list = db.captureList(verified().stream().map(t -> t.name(side)).toList(), beats);
            db.prepareCapture(list);
            lists.put(side, list);
        }
        return lists;
    }
}
