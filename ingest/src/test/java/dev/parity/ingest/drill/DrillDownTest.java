package dev.parity.ingest.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.DivergenceView;
import dev.parity.reconciler.rules.ColumnDiff;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.Verdict;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drill-down on two real PostgreSQL servers (no replication needed: the test plays the state the
 * reconciler would hold): it diffs only the values a key was judged with, never a row read since it
 * changed, and reads no more keys per round than its budget.
 */
class DrillDownTest {
    private static final PlannedTable T = new PlannedTable("public.t", "public.t", "public.t", List.of("id"), null);
    private static PostgresPair pg;
    private static Databases dbs;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresPair.start();
        pg.ddl("CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)");
        pg.onSource("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 20) g");
        pg.onTarget("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 20) g", "UPDATE t SET v = upper(v) WHERE id = 2");
        IngestConfig config = new IngestConfig("drill", new IngestConfig.Database(pg.sourceUrl(), "postgres", null, null, null),
                new IngestConfig.Database(pg.targetUrl(), "postgres", null, null, null), new IngestConfig.Tables(List.of("public.t"), List.of(), Map.of()),
                new IngestConfig.Heartbeat("parity_heartbeat", Duration.ofSeconds(1), false),
                new IngestConfig.Verify(false, Duration.ofMinutes(30), null, List.of(Side.SOURCE, Side.TARGET), 1000, 20_000),
                new IngestConfig.Snapshot(IngestConfig.Snapshot.Method.AUTO, 10_000), Files.createTempDirectory("drill"));
        dbs = new Databases(new SideDatabase(config, Side.SOURCE), new SideDatabase(config, Side.TARGET));
        dbs.source().inspect();
        dbs.target().inspect();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    /** The key's row on one side as the reconciler would hold it: its key bytes and hash, read now. */
    private static TableScan.Row row(Side side, long id) throws Exception {
        SideDatabase db = dbs.of(side);
        TableScan scan = db.scanPlan(T, db.schemas(List.of(T)).get("public.t"), 10).scan();
        try (Connection c = db.connect()) {
            TableScan.prepare(c, db.engine());
            return scan.readKeys(c, List.of(Map.of("id", id))).rows().get(0);
        }
    }

    private static DivergenceView divergent(byte[] rowKey, Hash128 source, Hash128 target) {
        KeyState state = new KeyState(new SideState(source, 0, "", 5, Provenance.CHANGE_STREAM), new SideState(target, 0, "", 7,
                Provenance.CHANGE_STREAM), 0);
        return new DivergenceView("public.t", 0, CanonicalReader.keyColumns(rowKey), Verdict.DIVERGENT, DivergenceView.Kind.MISMATCH, 0, null, null,
                Provenance.CHANGE_STREAM, Provenance.CHANGE_STREAM, rowKey, state);
    }

    @Test
    void shouldDiffOnlyTheValuesTheKeyWasJudgedWithNeverARowThatChangedSince() throws Exception {
        TableScan.Row s = row(Side.SOURCE, 2);
        TableScan.Row t = row(Side.TARGET, 2);
        List<DivergenceView> wanted = new ArrayList<>(List.of(divergent(s.key(), s.hash(), t.hash())));
        DrillDown drill = new DrillDown(dbs, () -> List.of(T), table -> wanted, 100, Clock.systemUTC());
        drill.round();
        DrillDown.Result judged = drill.result(wanted.get(0));
        assertThat(judged.problem()).isNull();
        assertThat(judged.findings()).extracting(ColumnDiff.Finding::column, ColumnDiff.Finding::cause)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v", ColumnDiff.Cause.CASE));

        // The target row changes again before the stream has told the reconciler: the state still holds the
        // old hash, the database the new value. The read must not stand for the verdict.
        pg.onTarget("UPDATE t SET v = 'rewritten' WHERE id = 2");
        DivergenceView stale = divergent(s.key(), s.hash(), new Hash128(1, 2)); // a state this read cannot explain
        wanted.set(0, stale);
        drill.round();
        assertThat(drill.result(stale).findings()).isEmpty();
        assertThat(drill.result(stale).problem()).startsWith("changed since its verdict");

        // Once the state holds what the database holds, the key is diffed against exactly that.
        DivergenceView current = divergent(s.key(), s.hash(), row(Side.TARGET, 2).hash());
        wanted.set(0, current);
        drill.round();
        assertThat(drill.result(current).findings()).singleElement().satisfies(f -> {
            assertThat(f.cause()).isEqualTo(ColumnDiff.Cause.OTHER);
            assertThat(f.target().display()).isEqualTo("rewritten");
        });
    }

    @Test
    void shouldReadNoMoreKeysPerRoundThanItsBudget() throws Exception {
        List<DivergenceView> wanted = new ArrayList<>();
        for (long id = 3; id <= 12; id++) {
            TableScan.Row s = row(Side.SOURCE, id);
            wanted.add(divergent(s.key(), s.hash(), new Hash128(id, id)));
        }
        DrillDown drill = new DrillDown(dbs, () -> List.of(T), table -> wanted, 4, Clock.systemUTC());
        assertThat(drill.round()).isEqualTo(4);
        assertThat(drill.round()).as("the next four: a key read for its state is not read again").isEqualTo(4);
        assertThat(drill.round()).isEqualTo(2);
        assertThat(drill.round()).isZero();
        assertThat(drill.keysRead()).isEqualTo(10);
    }
}
