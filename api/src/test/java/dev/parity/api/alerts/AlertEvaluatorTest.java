package dev.parity.api.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.api.status.DivergenceStatus;
import dev.parity.api.status.SideStatus;
import dev.parity.api.status.Status;
import dev.parity.api.status.TableStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final AlertEvaluator evaluator = new AlertEvaluator("shop", Duration.ofSeconds(10), Duration.ofSeconds(30));
    private final Map<String, List<DivergenceStatus>> divergences = new HashMap<>();

    private static Status status(Double lag, long divergentOrders) {
        return status(lag, divergentOrders, "PENDING", List.of());
    }

    private static Status status(Double lag, long divergentOrders, String state, List<String> reasons) {
        TableStatus orders = new TableStatus("public.orders", "public.orders", "public.orders", List.of("id"), true,
                divergentOrders > 0 ? "DIVERGENT" : "IN_SYNC", null, 1L, 1L, "", "", 1024, 1024, 0, 0, 0L, divergentOrders, 0L);
        SideStatus side = new SideStatus("STREAMING", null, null, 0, null, null);
        return new Status(state, lag, "HEARTBEAT_ORDER", "PARITY", 0, null, null, new Status.Sides(side, side), List.of(orders), Map.of(),
                List.of(), null, null, reasons);
    }

    private void diverge(int chunk, long id) {
        divergences.computeIfAbsent("public.orders", t -> new ArrayList<>()).add(new DivergenceStatus("public.orders", chunk, Map.of("id", id),
                "DIVERGENT", "MISMATCH", T0.plusSeconds(id), 0, null, null, "CHANGE_STREAM", null, "TARGET_WRITE", null, null, null, null, null));
    }

    private List<Alert> at(long seconds, Status status) {
        return evaluator.evaluate(T0.plusSeconds(seconds), status, t -> divergences.getOrDefault(t, List.of()));
    }

    @Test
    void shouldHoldTheFirstMessageUntilTheRowsAreReadThenLeadWithTheGroupSentence() {
        divergences.computeIfAbsent("public.orders", t -> new ArrayList<>()).add(new DivergenceStatus("public.orders", 3, Map.of("id", 9L),
                "DIVERGENT", "MISMATCH", T0, 0, null, null, "REREAD", null, "UNLOGGED_WRITE", null, null, DivergenceStatus.NOT_READ_YET, null, null));
        List<String> sentences = new ArrayList<>();
        java.util.function.Function<String, List<String>> groups = t -> sentences;
        assertThat(evaluator.evaluate(T0.plusSeconds(1), status(0.4, 1), t -> divergences.get(t), groups)).as("rows still being read").isEmpty();
        sentences.add("public.orders — 1 key differs only in `paid_at`, by exactly +3600 s");
        List<Alert> a = evaluator.evaluate(T0.plusSeconds(2), status(0.4, 1), t -> divergences.get(t), groups);
        assertThat(a).singleElement().satisfies(alert -> {
            assertThat((String) alert.payload().get("message")).startsWith("public.orders — 1 key differs only in `paid_at`, by exactly +3600 s (1 key(s)");
            assertThat(alert.payload().get("groups")).isEqualTo(List.of("public.orders — 1 key differs only in `paid_at`, by exactly +3600 s"));
        });
    }

    @Test
    void shouldNotWaitForeverForRowsThatCannotBeRead() {
        divergences.computeIfAbsent("public.orders", t -> new ArrayList<>()).add(new DivergenceStatus("public.orders", 3, Map.of("id", 9L),
                "DIVERGENT", "MISMATCH", T0, 0, null, null, "REREAD", null, "UNLOGGED_WRITE", null, null, DivergenceStatus.NOT_READ_YET, null, null));
        assertThat(evaluator.evaluate(T0, status(0.4, 1), t -> divergences.get(t), t -> List.of())).isEmpty();
        assertThat(evaluator.evaluate(T0.plus(AlertEvaluator.GROUP_WAIT), status(0.4, 1), t -> divergences.get(t), t -> List.of()))
                .singleElement().satisfies(alert -> assertThat((String) alert.payload().get("message")).startsWith("1 key(s) of public.orders"));
    }

    @Test
    void shouldAlertOnceWhenATableGoesDivergentWithChunksSampleKeysAndFirstSeen() {
        diverge(417, 42);
        diverge(12, 7);
        List<Alert> a = at(0, status(0.4, 2));
        assertThat(a).singleElement().satisfies(alert -> {
            assertThat(alert.type()).isEqualTo("DIVERGENCE");
            assertThat(alert.payload()).containsEntry("table", "public.orders").containsEntry("keyCount", 2L)
                    .containsEntry("chunks", List.of(12, 417)).containsEntry("parity", "shop").containsEntry("replicationLagSeconds", 0.4)
                    .containsEntry("firstSeen", T0.plusSeconds(7).toString());
            assertThat(alert.payload().get("sampleKeys")).isEqualTo(List.of(Map.of("id", 42L), Map.of("id", 7L)));
        });
        assertThat(at(1, status(0.4, 2))).as("no repeat while nothing changes").isEmpty();
    }

    @Test
    void shouldGroupNewChunksIntoOneMessagePerInterval() {
        diverge(1, 1);
        assertThat(at(0, status(0.1, 1))).hasSize(1);
        diverge(2, 2);
        assertThat(at(5, status(0.1, 2))).as("within the interval: grouped, not sent").isEmpty();
        diverge(3, 3);
        assertThat(at(29, status(0.1, 3))).isEmpty();
        assertThat(at(30, status(0.1, 3))).singleElement().satisfies(a -> assertThat(a.payload().get("chunks")).isEqualTo(List.of(1, 2, 3)));
    }

    @Test
    void shouldSendARecoveryWhenTheTableHasNoDivergentKeyLeft() {
        diverge(1, 1);
        at(0, status(0.1, 1));
        divergences.clear();
        assertThat(at(3, status(0.1, 0))).singleElement().extracting(Alert::type).isEqualTo("DIVERGENCE_RESOLVED");
        assertThat(at(4, status(0.1, 0))).isEmpty();
    }

    @Test
    void shouldHoldDivergenceAlertsWhileParitysViewIsStaleAndSayWhy() {
        assertThat(at(0, status(0.1, 0))).isEmpty();
        diverge(1, 1);
        Status stale = status(0.1, 1, "STALE", List.of("target capture stopped"));
        assertThat(at(1, stale)).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("STALE");
            assertThat(a.payload().get("reasons")).isEqualTo(List.of("target capture stopped"));
        });
        assertThat(at(2, stale)).isEmpty();
        assertThat(at(3, status(0.1, 1))).extracting(Alert::type).containsExactly("STALE_RESOLVED", "DIVERGENCE");
    }

    @Test
    void shouldNotAlertTheStaleSecondsOfEveryStartButAStartThatStaysStale() {
        Status starting = status(null, 0, "STALE", List.of("the reconciler is rebalancing (it holds partitions [] so far)"));
        assertThat(at(0, starting)).as("a start: nothing is current yet").isEmpty();
        assertThat(at(5, starting)).isEmpty();
        assertThat(at(8, status(0.2, 0))).as("nothing to resolve: nothing was sent").isEmpty();
        assertThat(at(9, status(0.2, 0, "STALE", List.of("target capture stopped")))).as("once current, at once")
                .extracting(Alert::type).containsExactly("STALE");

        AlertEvaluator fresh = new AlertEvaluator("shop", Duration.ofSeconds(10), Duration.ofSeconds(30));
        Status down = status(null, 0, "STALE", List.of("heartbeat write failed: Connection refused"));
        assertThat(fresh.evaluate(T0, down, t -> List.of())).isEmpty();
        assertThat(fresh.evaluate(T0.plus(AlertEvaluator.START_GRACE), down, t -> List.of())).as("stale for the whole grace: alerted")
                .extracting(Alert::type).containsExactly("STALE");
    }

    @Test
    void shouldAlertWhenLagCrossesTheThresholdAndRecoverWhenItIsBackUnder() {
        assertThat(at(0, status(9.9, 0))).isEmpty();
        assertThat(at(1, status(10.5, 0))).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("REPLICATION_LAG");
            assertThat(a.payload()).containsEntry("thresholdSeconds", 10.0).containsEntry("replicationLagSeconds", 10.5);
        });
        assertThat(at(2, status(30.0, 0))).isEmpty();
        assertThat(at(3, status(null, 0))).as("unknown lag is not a recovery").isEmpty();
        assertThat(at(4, status(0.5, 0))).singleElement().extracting(Alert::type).isEqualTo("REPLICATION_LAG_RESOLVED");
    }

    @Test
    void shouldAlertStaleEvenWhileTheLagIsUnknown() {
        at(0, status(0.1, 0));
        assertThat(at(1, status(null, 0, "STALE", List.of("heartbeat write failed: Connection refused")))).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo("STALE");
            assertThat(a.payload()).containsEntry("replicationLagSeconds", null);
        });
    }
}
