package dev.parity.reconciler.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.reconciler.canonical.CanonicalValue;
import dev.parity.reconciler.canonical.LogicalType;
import dev.parity.reconciler.rules.DivergenceGroups.Group;
import dev.parity.reconciler.rules.DivergenceGroups.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DivergenceGroupsTest {
    private static ColumnDiff.Finding shifted(long micros) {
        return ColumnDiff.classify("paid_at", new CanonicalValue(LogicalType.TIMESTAMP, micros),
                new CanonicalValue(LogicalType.TIMESTAMP, micros + 3_600_000_000L), null);
    }

    @Test
    void shouldGroupFourteenShiftedKeysIntoOneSentence() {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= 14; i++) {
            members.add(new Member(Map.of("id", (long) i), "MISMATCH", List.of(shifted(i * 1_000_000L)), Origin.UNLOGGED_WRITE));
        }
        members.add(new Member(Map.of("id", 99L), "MISSING_ON_TARGET", List.of(), Origin.LOST_CHANGE));
        List<Group> groups = DivergenceGroups.group("shop.orders", members);
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).sentence()).isEqualTo("shop.orders — 14 keys differ only in `paid_at`, each by exactly +3600 s");
        assertThat(groups.get(0).sampleKeys()).hasSize(DivergenceGroups.SAMPLES);
        assertThat(groups.get(1).sentence()).isEqualTo("shop.orders — 1 key missing on the target");
        assertThat(groups.get(0).origins()).containsExactly(Map.entry(Origin.UNLOGGED_WRITE, 14L));
    }

    @Test
    void shouldLeadWithWritesOnTheTarget() {
        ColumnDiff.Finding other = ColumnDiff.classify("note", str("a"), str("b"), null);
        List<Group> groups = DivergenceGroups.group("t", List.of(new Member(Map.of("id", 1L), "MISMATCH", List.of(other), Origin.TARGET_WRITE),
                new Member(Map.of("id", 2L), "MISMATCH", List.of(other), Origin.LOST_CHANGE)));
        assertThat(groups.get(0).sentence()).isEqualTo("1 written on the target outside replication: t — 2 keys differ only in `note`: values differ");
    }

    @Test
    void shouldKeepTruncationsOfOneColumnTogetherWhateverEachRowsLength() {
        ColumnDiff.ColumnShape shape = new ColumnDiff.ColumnShape("varchar(5)", 5L, null);
        List<Member> members = List.of(
                new Member(Map.of("id", 1L), "MISMATCH", List.of(ColumnDiff.classify("note", str("abcdefgh"), str("abcde"), shape)), Origin.APPLIED_DIFFERENTLY),
                new Member(Map.of("id", 2L), "MISMATCH", List.of(ColumnDiff.classify("note", str("abcdefghijk"), str("abcde"), shape)), Origin.APPLIED_DIFFERENTLY));
        List<Group> groups = DivergenceGroups.group("t", members);
        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.keys()).isEqualTo(2);
            assertThat(g.sentence()).isEqualTo("t — 2 keys differ only in `note`: cut short on the target (the target column holds 5)");
        });
    }

    private static CanonicalValue str(String s) {
        return new CanonicalValue(LogicalType.STRING, s);
    }
}
