package dev.parity.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which key a PostgreSQL table is watched by, and when its replica identity rules it out (README, "What Parity creates"). */
class PostgresCatalogTest {
    @Test
    void shouldKeyByThePrimaryKeyUnderTheDefaultReplicaIdentity() {
        TableInfo t = PostgresCatalog.table("public", "orders", List.of("id"), "d", null, "orders_code_key:code");
        assertThat(t.key()).containsExactly("id");
        assertThat(t.keyedByIndex()).isFalse();
        assertThat(t.captureProblem()).isNull();
    }

    @Test
    void shouldKeyByTheReplicaIdentityIndexWhenThereIsNoPrimaryKey() {
        TableInfo t = PostgresCatalog.table("public", "events", List.of(), "i", "events_b_key", "events_a_key:a;events_b_key:b,c");
        assertThat(t.key()).containsExactly("b", "c");
        assertThat(t.keyIndex()).isEqualTo("events_b_key");
        assertThat(t.captureProblem()).isNull();
    }

    @Test
    void shouldKeyByAUniqueIndexUnderReplicaIdentityFull() {
        TableInfo t = PostgresCatalog.table("public", "events", List.of(), "f", null, "events_b_key:b,c;events_a_key:a");
        assertThat(t.key()).containsExactly("a");
        assertThat(t.captureProblem()).isNull();
    }

    @Test
    void shouldRefuseToPublishATableWithoutReplicaIdentityAndSayHowToGiveItOne() {
        TableInfo t = PostgresCatalog.table("public", "events", List.of(), "d", null, "events_a_key:a");
        assertThat(t.key()).containsExactly("a");
        assertThat(t.captureProblem()).contains("no primary key and REPLICA IDENTITY DEFAULT")
                .contains("ALTER TABLE \"public\".\"events\" REPLICA IDENTITY USING INDEX \"events_a_key\"");
        assertThat(PostgresCatalog.table("public", "orders", List.of("id"), "n", null, null).captureProblem())
                .contains("REPLICA IDENTITY NOTHING").contains("REPLICA IDENTITY DEFAULT");
    }

    @Test
    void shouldCompareATableWithNeitherKeyNorUniqueIndexByContentOnlyUnderReplicaIdentityFull() {
        TableInfo full = PostgresCatalog.table("public", "log", List.of(), "f", null, null);
        assertThat(full.keyed()).isFalse();
        assertThat(full.captureProblem()).isNull();
        assertThat(PostgresCatalog.table("public", "log", List.of(), "d", null, null).captureProblem())
                .contains("compares its rows by content").contains("ALTER TABLE \"public\".\"log\" REPLICA IDENTITY FULL");
    }
}
