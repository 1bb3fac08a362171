package dev.parity.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadBudgetTest {
    @Test
    void shouldSayHowFarAReaderIsAheadOfItsBudget() {
        assertThat(ReadBudget.aheadNanos(1_000, 1_000, 0)).as("1,000 rows at once, 1,000 a second: a second early").isEqualTo(1_000_000_000L);
        assertThat(ReadBudget.aheadNanos(1_000, 1_000, 400_000_000L)).isEqualTo(600_000_000L);
        assertThat(ReadBudget.aheadNanos(1_000, 1_000, 2_000_000_000L)).as("behind: no wait").isZero();
        assertThat(ReadBudget.aheadNanos(10_000_000, 0, 0)).as("no budget").isZero();
    }

    @Test
    void shouldMakeAFastReaderWaitForWhatItReadAndNeverAnUnlimitedOne() throws InterruptedException {
        List<Duration> waits = new ArrayList<>();
        ReadBudget budget = new ReadBudget(100, waits::add);
        budget.spent(50);
        assertThat(waits).singleElement().satisfies(d -> assertThat(d).isBetween(Duration.ofMillis(400), Duration.ofMillis(500)));
        budget.spent(50);
        assertThat(waits).hasSize(2);
        assertThat(waits.get(1)).as("a second for both pages, less the time since the budget began").isBetween(Duration.ofMillis(500), Duration.ofMillis(1_000));

        List<Duration> none = new ArrayList<>();
        ReadBudget unlimited = new ReadBudget(0, none::add);
        unlimited.spent(1_000_000_000L);
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> new ReadBudget(-1, d -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
