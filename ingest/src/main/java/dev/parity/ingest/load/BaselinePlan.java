package dev.parity.ingest.load;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.reconciler.model.Side;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who reads the first baseline of each table: Parity's own load ({@link InitialLoad}) or the
 * connectors' snapshots. Decided once, on a first start (no capture offsets yet); a load interrupted
 * by a restart is done again, for the tables its pending file lists.
 *
 * @param description what status says about it ({@code PARITY: …}, {@code DEBEZIUM: …}, {@code RESUMED: …})
 * @param loaded      mapped ids of the tables Parity loads; empty when it loads none
 * @param pendingFile present while that load is unfinished
 * @param firstRun    per side, connector settings for the captures' first run: none when the connectors
 *                    snapshot everything; no data snapshot when Parity loads everything; otherwise a
 *                    snapshot of only the tables Parity cannot load
 * @param warning     what to tell the user when {@code snapshot.method: parity} could not be honoured; null if nothing
 * @param forgotten   mapped ids the last run watched and this one does not (dropped, renamed or filtered out since):
 *                    their rows are to be cleared from the reconciler's state
 */
public record BaselinePlan(String description, List<String> loaded, Path pendingFile, Map<Side, Map<String, String>> firstRun, String warning,
                           List<String> forgotten) {
    private static final Logger LOG = LoggerFactory.getLogger(BaselinePlan.class);
    /** Present while a load has been decided and is not finished: a restart resumes (re-does) it. */
    static final String PENDING_FILE = "initial-load.pending";
    /** The tables the last run watched (mapped ids, one a line). */
    static final String PLANNED_FILE = "planned-tables";
    /** The heartbeat that closed the last finished load (see {@link #loadEnd}). */
    static final String LOAD_END_FILE = "initial-load.end-heartbeat";

    /**
     * The heartbeat seq that closed the last initial load to finish, -1 if none did: a restarted reconciler keeps the
     * load window open on each partition until both its streams have delivered it (README, "The first baseline").
     */
    public static long loadEnd(Path captureDir) throws IOException {
        Path file = captureDir.resolve(LOAD_END_FILE);
        if (!Files.exists(file)) {
            return -1;
        }
        String text = Files.readString(file).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds no heartbeat seq (" + text + "); remove it and the initial load is trusted as applied", e);
        }
    }

    /** Records the heartbeat that closes a load, beside its pending file; written whole or not at all. */
    static void recordLoadEnd(Path pendingFile, long seq) throws IOException {
        Path file = pendingFile.resolveSibling(LOAD_END_FILE);
        Path tmp = pendingFile.resolveSibling(LOAD_END_FILE + ".tmp");
        Files.writeString(tmp, seq + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The connectors snapshot every table: with {@code capture.mode: connect} they run on the user's Kafka Connect
     * cluster, whose first run Parity does not steer.
     */
    public static BaselinePlan byConnectors(IngestConfig config, String description) {
        LOG.info("baseline: {}", description);
        return new BaselinePlan(description, List.of(), config.captureDir().resolve(PENDING_FILE), Map.of(), null, List.of());
    }

    /** Decides for the verified tables {@code captured}; writes the pending file when Parity loads any. */
    public static BaselinePlan decide(IngestConfig config, List<PlannedTable> captured, Databases databases) throws IOException {
        SideDatabase source = databases.source();
        SideDatabase target = databases.target();
        Path pending = config.captureDir().resolve(PENDING_FILE);
        IngestConfig.Snapshot.Method method = config.snapshot().method();
        List<String> load = List.of();
        List<PlannedTable> byConnectors = List.of();
        String description;
        String warning = null;
        // Tables planned now that the last run did not watch (created, or renamed, since: README "When things fail") have
        // no baseline in the stores, and the captures, already past their snapshots, will not read one.
        java.util.Set<String> before = lastPlanned(config);
        List<PlannedTable> fresh = before == null || !(source.hasOffsets() || target.hasOffsets()) ? List.of()
                : captured.stream().filter(t -> !before.contains(t.mappedId())).toList();
        if (!Files.exists(pending)) {
            LoadProgress.clear(pending); // the progress of a load that finished, or of none
        }
        if (Files.exists(pending)) {
            java.util.Set<String> resume = new java.util.LinkedHashSet<>(Files.readAllLines(pending).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList());
            Map<String, String> why = fresh.isEmpty() ? Map.of() : unsuitable(config, fresh, source, target);
            fresh.stream().map(PlannedTable::mappedId).filter(id -> !why.containsKey(id)).forEach(resume::add);
            load = List.copyOf(resume);
            LoadProgress progress = LoadProgress.beside(pending);
            long read = load.stream().map(progress::of).filter(e -> e != null && e.done()).count();
            long part = load.stream().map(progress::of).filter(e -> e != null && !e.done()).count();
            description = "PARITY: resuming the initial load an earlier run did not finish (" + load.size() + " table(s)"
                    + (read + part == 0 ? "" : ": " + read + " read completely, " + part + " continued from their last completed range") + ")";
        } else if (source.hasOffsets() || target.hasOffsets()) {
            if (fresh.isEmpty()) {
                description = "RESUMED: the captures continue from their offsets";
            } else {
                Map<String, String> why = unsuitable(config, fresh, source, target);
                load = fresh.stream().map(PlannedTable::mappedId).filter(id -> !why.containsKey(id)).toList();
                String reasons = why.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
                description = "RESUMED: the captures continue from their offsets"
                        + (load.isEmpty() ? "" : "; PARITY loads " + load.size() + " table(s) new since the last run: " + String.join(", ", load))
                        + (why.isEmpty() ? "" : "; new since the last run and not loaded (their rows count as they change, and once the"
                        + " verification sweep has re-read them): " + reasons);
                if (!why.isEmpty()) {
                    warning = "tables new since the last run that Parity cannot load itself are verified only once the sweep has re-read them: " + reasons;
                }
            }
        } else if (method == IngestConfig.Snapshot.Method.DEBEZIUM) {
            description = "DEBEZIUM: snapshot.method is debezium";
        } else {
            Map<String, String> why = unsuitable(config, captured, source, target);
            load = captured.stream().map(PlannedTable::mappedId).filter(id -> !why.containsKey(id)).toList();
            byConnectors = captured.stream().filter(t -> why.containsKey(t.mappedId())).toList();
            String reasons = why.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
            // Tables without key are the connectors' by design, not for want of something: no warning for them.
            String unexpected = why.entrySet().stream().filter(e -> !e.getValue().equals(BY_CONTENT))
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
            description = load.isEmpty() ? "DEBEZIUM: Parity cannot load these tables itself: " + reasons
                    : why.isEmpty() ? "PARITY: both sides read and paired by key, rows hashed in flight"
                    : "PARITY for " + load.size() + " table(s), DEBEZIUM (the connectors' snapshot) for " + why.size() + ": " + reasons;
            if (!unexpected.isEmpty() && method == IngestConfig.Snapshot.Method.PARITY) {
                warning = "snapshot.method is parity, but the connectors snapshot " + unexpected;
            }
        }
        Map<Side, Map<String, String>> firstRun = new EnumMap<>(Side.class);
        Files.writeString(config.captureDir().resolve(PLANNED_FILE), "# the tables this run watches, to tell new ones at the next start\n"
                + captured.stream().map(PlannedTable::mappedId).collect(Collectors.joining("\n")) + "\n");
        if (!load.isEmpty()) {
            Files.writeString(pending, "# tables an initial load by Parity is reading; it is done again on restart until finished\n"
                    + String.join("\n", load) + "\n");
            // Also when resuming: a connector whose offsets say its (data-less) snapshot did not finish would otherwise
            // take the tables' rows from a snapshot of its own, beside Parity's load.
            for (Side side : Side.values()) {
                // The connectors read only the tables Parity cannot (none: they only stream).
                List<String> names = byConnectors.stream().map(t -> t.name(side)).toList();
                firstRun.put(side, names.isEmpty() ? Map.of("snapshot.mode", "no_data")
                        : Map.of("snapshot.include.collection.list", names.stream().map(Pattern::quote).collect(Collectors.joining(","))));
            }
        }
        java.util.Set<String> now = captured.stream().map(PlannedTable::mappedId).collect(Collectors.toSet());
        List<String> forgotten = before == null ? List.of() : before.stream().filter(id -> !now.contains(id)).sorted().toList();
        LOG.info("baseline: {}", description);
        return new BaselinePlan(description, load, pending, firstRun, warning, forgotten);
    }

    /** The mapped ids the last run watched; null when it did not say (a state dir from before Parity kept them). */
    private static java.util.Set<String> lastPlanned(IngestConfig config) throws IOException {
        Path file = config.captureDir().resolve(PLANNED_FILE);
        if (!Files.exists(file)) {
            return null;
        }
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toSet());
    }

    /**
     * The tables Parity cannot load itself (the connectors then snapshot them), each with the reason;
     * empty when it can load them all. It needs heartbeats, every column readable by the sweep's
     * reader on both sides, and the same primary-key columns on both sides, each of a type it can pair
     * ({@link KeyPairing}).
     */
    private static Map<String, String> unsuitable(IngestConfig config, List<PlannedTable> tables, SideDatabase source, SideDatabase target) {
        Map<String, String> out = new LinkedHashMap<>();
        String all = null;
        Map<Side, Map<String, TableSchema>> schemas = Map.of();
        if (!config.heartbeat().enabled()) {
            all = "needs heartbeats to order its reads against the change streams (heartbeat.enabled is false)";
        } else {
            try {
                schemas = schemas(tables, source, target);
            } catch (SQLException | RuntimeException e) {
                all = "could not read the tables' structures: " + e.getMessage();
            }
        }
        for (PlannedTable t : tables) {
            String why = all != null ? all : unsuitable(t, schemas, source, target);
            if (why != null) {
                out.put(t.mappedId(), why);
            }
        }
        return out;
    }

    /**
     * Why a table without key is the connectors' to snapshot. Its value per row is a count of copies that
     * the streams move by one; a read outside the streams cannot be merged into a count a copy changed
     * during the read (a row's newer change does not replace a count, as it replaces a keyed row), while
     * the connector's snapshot ends exactly where its stream begins.
     */
    static final String BY_CONTENT = "no key: its copies are counted from the connectors' snapshot, which its stream continues exactly";

    private static String unsuitable(PlannedTable t, Map<Side, Map<String, TableSchema>> schemas, SideDatabase source, SideDatabase target) {
        if (t.byContent()) {
            return BY_CONTENT;
        }
        for (SideDatabase setup : List.of(source, target)) {
            String name = t.name(setup.side());
            TableSchema schema = schemas.get(setup.side()).get(name);
            String why = setup.scanPlan(t, schema, 1).problem();
            if (why != null) {
                return "on the " + setup.side().label() + ": " + why;
            }
            List<String> key = key(setup, name);
            if (!key.equals(key(source, t.sourceName()))) {
                return "the key is " + key(source, t.sourceName()) + " on the source but " + key
                        + " on the target; keys pair only over the same columns in the same order";
            }
        }
        return KeyPairing.decide(source.engine(), schemas.get(Side.SOURCE).get(t.sourceName()), target.engine(),
                schemas.get(Side.TARGET).get(t.targetName()), key(source, t.sourceName())).problem();
    }

    private static List<String> key(SideDatabase setup, String table) {
        return setup.tables().stream().filter(i -> i.qualifiedName().equals(table)).findFirst()
                .map(i -> i.key().stream().map(k -> k.toLowerCase(Locale.ROOT)).toList()).orElse(List.of());
    }

    private static Map<Side, Map<String, TableSchema>> schemas(List<PlannedTable> tables, SideDatabase source, SideDatabase target)
            throws SQLException {
        return Map.of(Side.SOURCE, source.schemas(tables), Side.TARGET, target.schemas(tables));
    }

}
