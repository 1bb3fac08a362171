package dev.parity.reconciler.rules;

import dev.parity.reconciler.model.CapturePhase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.model.Digest;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.TableSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessChecksTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Digest D = new Digest(3, new Hash128(1, 2));

    private static List<Check> passingChecks() {
        List<Check> checks = new ArrayList<>();
        checks.add(ReadinessChecks.tables(1, 1));
        checks.add(ReadinessChecks.fenceLag(0.4, Duration.ofSeconds(10)));
        checks.add(ReadinessChecks.divergentKeys(0, List.of()));
        checks.add(ReadinessChecks.table("public.orders", null, new TableSummary("public.orders", D, D, 1024, 1024, 0, 0, 0, 0, 0), false));
        return checks;
    }

    @Test
    void shouldBeReadyWhenDecidedAndEveryCheckPasses() {
        assertThat(ReadinessChecks.ready(true, passingChecks())).isTrue();
        assertThat(ReadinessChecks.ready(false, passingChecks())).as("fence never came back").isFalse();
    }

    @Test
    void shouldNotBeReadyWhileATableTheFilterNamesIsNotWatched() {
        assertThat(ReadinessChecks.watchedTables(List.of()).status()).isEqualTo(Check.Status.PASS);
        Check unwatched = ReadinessChecks.watchedTables(List.of("public.extra"));
        assertThat(unwatched.status()).isEqualTo(Check.Status.FAIL);
        assertThat(unwatched.detail()).contains("public.extra");
        List<Check> checks = new ArrayList<>(passingChecks());
        checks.add(unwatched);
        assertThat(ReadinessChecks.ready(true, checks)).isFalse();
    }

    @Test
    void shouldNeverBeReadyOverZeroTables() {
        Check tables = ReadinessChecks.tables(0, 0);
        assertThat(tables.status()).isEqualTo(Check.Status.FAIL);
        List<Check> checks = new ArrayList<>(passingChecks());
        checks.set(0, tables);
        checks.remove(3);
        assertThat(ReadinessChecks.ready(true, checks)).isFalse();
    }

    @Test
    void shouldNeverBeReadyWithoutTheTablesCheck() {
        List<Check> checks = new ArrayList<>(passingChecks());
        checks.remove(0);
        assertThat(ReadinessChecks.ready(true, checks)).isFalse();
        assertThat(ReadinessChecks.ready(true, List.of())).isFalse();
    }

    @Test
    void shouldTreatUnknownAsNotPassed() {
        List<Check> checks = new ArrayList<>(passingChecks());
        checks.add(Check.unknown("schema", "could not read the structures"));
        assertThat(ReadinessChecks.ready(true, checks)).isFalse();
        assertThat(ReadinessChecks.tables(2, 1).status()).isEqualTo(Check.Status.FAIL);
    }

    @Test
    void shouldPassATableWhoseDigestsDifferOnlyByKeysChangedAfterTheFence() {
        Digest other = new Digest(4, new Hash128(9, 9));
        TableSummary inFlight = new TableSummary("t", D, other, 1024, 1023, 1, 0, 1, 0, 0);
        assertThat(ReadinessChecks.table("t", null, inFlight, false).status()).isEqualTo(Check.Status.PASS);
        assertThat(ReadinessChecks.table("t", null, inFlight, true).status()).isEqualTo(Check.Status.FAIL);
        TableSummary divergent = new TableSummary("t", D, other, 1024, 1023, 0, 1, 0, 1, 0);
        assertThat(ReadinessChecks.table("t", null, divergent, false).status()).isEqualTo(Check.Status.FAIL);
        assertThat(ReadinessChecks.table("t", "no primary key", null, false).status()).isEqualTo(Check.Status.UNKNOWN);
    }

    @Test
    void shouldFailTheFenceLagAboveTheMaximum() {
        assertThat(ReadinessChecks.fenceLag(10.0, Duration.ofSeconds(10)).status()).isEqualTo(Check.Status.PASS);
        assertThat(ReadinessChecks.fenceLag(10.5, Duration.ofSeconds(10)).status()).isEqualTo(Check.Status.FAIL);
    }

    @Test
    void shouldRequireEveryTableReadCompletelyOnEverySide() {
        Duration maxAge = Duration.ofMinutes(10);
        List<ReadinessChecks.TableRead> reads = List.of(new ReadinessChecks.TableRead("t", Side.SOURCE, NOW.minusSeconds(5), 10, "initial load", null),
                new ReadinessChecks.TableRead("t", Side.TARGET, null, 3, "sweep round 1", "read failed: timeout"));
        Check r = ReadinessChecks.reread(null, List.of("t"), List.of(Side.SOURCE, Side.TARGET), reads, maxAge, NOW);
        assertThat(r.status()).isEqualTo(Check.Status.UNKNOWN);
        assertThat(r.evidence()).isEqualTo(Map.of("maxAgeSeconds", 600L, "notRead", List.of("t on the target: read failed: timeout")));
        Check ok = ReadinessChecks.reread(null, List.of("t"), List.of(Side.SOURCE), reads, maxAge, NOW);
        assertThat(ok.status()).isEqualTo(Check.Status.PASS);
        assertThat(ok.detail()).contains("5 s ago by the initial load");
        assertThat(ReadinessChecks.reread("verify.enabled is false", List.of("t"), List.of(Side.SOURCE), reads, maxAge, NOW).status())
                .isEqualTo(Check.Status.UNKNOWN);
    }

    @Test
    void shouldNotPassOnAReadOlderThanTheMaximumAgeAndSayHowOld() {
        List<ReadinessChecks.TableRead> reads = List.of(
                new ReadinessChecks.TableRead("t", Side.SOURCE, NOW.minusSeconds(700), 10, "sweep round 3", "read failed: timeout"),
                new ReadinessChecks.TableRead("t", Side.TARGET, NOW.minusSeconds(30), 10, "sweep round 4", null));
        Check r = ReadinessChecks.reread(null, List.of("t"), List.of(Side.SOURCE, Side.TARGET), reads, Duration.ofMinutes(10), NOW);
        assertThat(r.status()).isEqualTo(Check.Status.UNKNOWN);
        assertThat(r.detail()).contains("older than 600 s (verify.maxAge)", "t on the source: last read completely 700 s ago by the sweep round 3",
                "since then: read failed: timeout");
        assertThat(ReadinessChecks.reread(null, List.of("t"), List.of(Side.SOURCE, Side.TARGET), reads, Duration.ofMinutes(12), NOW).status())
                .isEqualTo(Check.Status.PASS);
    }

    @Test
    void shouldFailCapturesThatAreNotStreamingConnectedAndRecent() {
        ReadinessChecks.Liveness ok = new ReadinessChecks.Liveness(Side.SOURCE, CapturePhase.STREAMING, true, NOW.minusSeconds(1), null);
        ReadinessChecks.Liveness old = new ReadinessChecks.Liveness(Side.TARGET, CapturePhase.STREAMING, true, NOW.minusSeconds(11), null);
        ReadinessChecks.Liveness cut = new ReadinessChecks.Liveness(Side.TARGET, CapturePhase.STREAMING, false, NOW.minusSeconds(1), null);
        assertThat(ReadinessChecks.capturesLive(List.of(ok, ok), true, NOW).status()).isEqualTo(Check.Status.PASS);
        assertThat(ReadinessChecks.capturesLive(List.of(ok, old), true, NOW).detail()).contains("target", "11 s ago");
        assertThat(ReadinessChecks.capturesLive(List.of(ok, cut), true, NOW).detail()).contains("connection lost");
    }

    @Test
    void shouldComparePerTableMigrationHistory() {
        Map<String, List<String>> s = Map.of("flyway_schema_history", List.of("{version=1}", "{version=2}"));
        Map<String, List<String>> t = Map.of("flyway_schema_history", List.of("{version=1}"));
        assertThat(ReadinessChecks.migrationHistory(s, s).status()).isEqualTo(Check.Status.PASS);
        assertThat(ReadinessChecks.migrationHistory(s, t).detail()).isEqualTo("differs: source {flyway_schema_history=2}, target {flyway_schema_history=1}");
    }
}
