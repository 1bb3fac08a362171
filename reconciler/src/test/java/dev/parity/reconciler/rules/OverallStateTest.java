package dev.parity.reconciler.rules;

import dev.parity.reconciler.model.CapturePhase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.rules.HeartbeatProgress.Freshness;
import dev.parity.reconciler.rules.OverallState.Capture;
import dev.parity.reconciler.rules.OverallState.Facts;
import dev.parity.reconciler.rules.OverallState.State;
import dev.parity.reconciler.rules.OverallState.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverallStateTest {
    private static final Capture SOURCE_OK = new Capture(Side.SOURCE, CapturePhase.STREAMING, null, Duration.ofSeconds(1), true);
    private static final Capture TARGET_OK = new Capture(Side.TARGET, CapturePhase.STREAMING, null, Duration.ofSeconds(1), true);
    private static final Table EQUAL = new Table("public.orders", null, true, 0, 0, true);

    /** A healthy instance watching one equal table; each test changes one fact. */
    private static final class F {
        List<Capture> captures = new ArrayList<>(List.of(SOURCE_OK, TARGET_OK));
        String load;
        String reconcilerError;
        List<Table> tables = new ArrayList<>(List.of(EQUAL));
        List<String> warnings = List.of();
        String behind;
        Freshness source = Freshness.FRESH;
        Freshness target = Freshness.FRESH;
        boolean heartbeats = true;
        String heartbeatFailure;

        OverallState.Result eval() {
            return OverallState.evaluate(new Facts(captures, load, reconcilerError, tables, warnings, behind, source, target, heartbeats,
                    heartbeatFailure, "public.parity_heartbeat"));
        }
    }

    @Test
    void shouldBeInSyncWithNoReasonWhenEverythingIsCurrentAndEqual() {
        OverallState.Result r = new F().eval();
        assertThat(r.state()).isEqualTo(State.IN_SYNC);
        assertThat(r.reasons()).isEmpty();
    }

    @Test
    void shouldNeverBeInSyncOverZeroWatchedTables() {
        F f = new F();
        f.tables = List.of();
        OverallState.Result r = f.eval();
        assertThat(r.state()).isEqualTo(State.UNVERIFIED);
        assertThat(r.reasons()).anyMatch(s -> s.contains("no table is watched"));
    }

    @Test
    void shouldNeverBeInSyncWhenNoWatchedTableIsVerified() {
        F f = new F();
        f.tables = List.of(Table.unverified("public.log", "no primary key on the source"));
        assertThat(f.eval().state()).isEqualTo(State.UNVERIFIED);
    }

    @Test
    void shouldBeUnverifiedWhenATableDisappearedWhileRunning() {
        F f = new F();
        f.tables.add(Table.unverified("public.gone", "no longer exists on the source"));
        OverallState.Result r = f.eval();
        assertThat(r.state()).isEqualTo(State.UNVERIFIED);
        assertThat(r.reasons()).contains("public.gone not verified: no longer exists on the source");
    }

    @Test
    void shouldBeStaleAtOnceWhenAHeartbeatWriteFails() {
        F f = new F();
        f.heartbeatFailure = "heartbeat write failed: Connection refused";
        OverallState.Result r = f.eval();
        assertThat(r.state()).isEqualTo(State.STALE);
        assertThat(r.reasons()).contains("heartbeat write failed: Connection refused");
    }

    @Test
    void shouldIgnoreAHeartbeatFailureWhenHeartbeatsAreOff() {
        F f = new F();
        f.heartbeats = false;
        f.heartbeatFailure = "heartbeats disabled in the config";
        assertThat(f.eval().state()).isEqualTo(State.IN_SYNC);
    }

    @Test
    void shouldBeStaleAtOnceWhenACaptureLosesItsConnection() {
        F f = new F();
        f.captures.set(1, new Capture(Side.TARGET, CapturePhase.STREAMING, null, Duration.ofMillis(200), false));
        OverallState.Result r = f.eval();
        assertThat(r.state()).isEqualTo(State.STALE);
        assertThat(r.reasons()).contains("target capture lost its connection to the database");
    }

    @Test
    void shouldBeStaleWhileAFailedCaptureRestartsNotSnapshotting() {
        F f = new F();
        f.captures.set(0, new Capture(Side.SOURCE, CapturePhase.STARTING, "restarted after: connection refused", Duration.ofSeconds(2), true));
        assertThat(f.eval().state()).isEqualTo(State.STALE);
    }

    @Test
    void shouldBeStaleOnlyAfterLongSilenceWhenNobodyReportsAFault() {
        F f = new F();
        f.captures.set(0, new Capture(Side.SOURCE, CapturePhase.STREAMING, null, OverallState.STALE_AFTER, true));
        assertThat(f.eval().state()).isEqualTo(State.IN_SYNC);
        f.captures.set(0, new Capture(Side.SOURCE, CapturePhase.STREAMING, null, OverallState.STALE_AFTER.plusSeconds(1), true));
        assertThat(f.eval().state()).isEqualTo(State.STALE);
        f.captures.set(0, new Capture(Side.SOURCE, CapturePhase.STREAMING, null, null, true));
        assertThat(f.eval().state()).as("never delivered anything").isEqualTo(State.STALE);
        assertThat(f.eval().reasons()).as("said as it is, not as a silence of 30 s").contains("source capture has delivered nothing yet");
    }

    @Test
    void shouldPendUntilAFreshHeartbeatPassedEveryPartitionAfterAFault() {
        F f = new F();
        f.source = Freshness.CATCHING_UP;
        assertThat(f.eval().state()).isEqualTo(State.PENDING);
        f.source = null;
        assertThat(f.eval().state()).as("freshness unknown is not fresh").isEqualTo(State.PENDING);
        f.source = Freshness.STALE;
        assertThat(f.eval().state()).isEqualTo(State.STALE);
    }

    @Test
    void shouldRankStaleOverSnapshottingOverDivergentOverPendingOverUnverified() {
        F f = new F();
        f.tables = List.of(new Table("a", null, true, 3, 2, false), Table.unverified("b", "no primary key"));
        f.load = "loading a";
        f.captures.set(1, new Capture(Side.TARGET, CapturePhase.STOPPED, "boom", null, false));
        assertThat(f.eval().state()).isEqualTo(State.STALE);
        f.captures.set(1, TARGET_OK);
        assertThat(f.eval().state()).isEqualTo(State.SNAPSHOTTING);
        f.load = null;
        assertThat(f.eval().state()).isEqualTo(State.DIVERGENT);
        f.tables = List.of(new Table("a", null, true, 3, 0, false), Table.unverified("b", "no primary key"));
        assertThat(f.eval().state()).isEqualTo(State.PENDING);
        f.tables = List.of(EQUAL, Table.unverified("b", "no primary key"));
        assertThat(f.eval().state()).isEqualTo(State.UNVERIFIED);
    }

    @Test
    void shouldPendWhileTheReconcilerIsBehindTheCaptures() {
        F f = new F();
        f.behind = "the reconciler is 12 s behind the captures (900 events)";
        OverallState.Result r = f.eval();
        assertThat(r.state()).isEqualTo(State.PENDING);
        assertThat(r.reasons()).contains(f.behind);
    }

    @Test
    void shouldBeStaleWhenTheReconcilerCannotBeAsked() {
        F f = new F();
        f.reconcilerError = "rebalancing";
        f.source = null;
        f.target = null;
        assertThat(f.eval().state()).isEqualTo(State.STALE);
    }

    @Test
    void shouldSnapshotWhileACaptureStartsForTheFirstTime() {
        F f = new F();
        f.captures.set(0, new Capture(Side.SOURCE, CapturePhase.SNAPSHOTTING, null, null, true));
        assertThat(f.eval().state()).isEqualTo(State.SNAPSHOTTING);
    }
}
