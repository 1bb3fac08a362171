package dev.parity.ingest.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** Changes read from per-table topics never go out before a heartbeat that committed earlier. */
class CommitOrderTest {
    @Test
    void shouldHoldChangesUntilAHeartbeatCommittedAfterThem() {
        CommitOrder<String> order = new CommitOrder<>();
        assertThat(order.offer(new CommitOrder.Item<>("b@30", new long[] {30}, false))).isEmpty();
        assertThat(order.offer(new CommitOrder.Item<>("a@10", new long[] {10}, false))).isEmpty();
        assertThat(order.offer(new CommitOrder.Item<>("hb@20", new long[] {20}, true))).containsExactly("a@10", "hb@20");
        assertThat(order.waiting()).containsExactly("b@30");
        assertThat(order.offer(new CommitOrder.Item<>("late@15", new long[] {15}, false))).isEmpty();
        assertThat(order.offer(new CommitOrder.Item<>("hb@40", new long[] {40}, true))).containsExactly("late@15", "b@30", "hb@40");
    }

    /**
     * Random histories: each table's changes and the heartbeats in commit order, their topics interleaved at
     * random. Every change must go out after every heartbeat committed before it (its stamp is never too
     * early), and nothing is lost or duplicated.
     */
    @Test
    void shouldNeverPassAChangeBeforeAnEarlierHeartbeatWhateverTheInterleaving() {
        for (int seed = 0; seed < 500; seed++) {
            Random r = new Random(seed);
            int tables = 1 + r.nextInt(4);
            List<List<CommitOrder.Item<long[]>>> topics = new ArrayList<>();
            for (int i = 0; i <= tables; i++) {
                topics.add(new ArrayList<>());
            }
            int n = 50 + r.nextInt(200);
            for (long pos = 1; pos <= n; pos++) {
                boolean beat = r.nextInt(5) == 0;
                int topic = beat ? 0 : 1 + r.nextInt(tables);
                topics.get(topic).add(new CommitOrder.Item<>(new long[] {pos, beat ? 1 : 0}, new long[] {pos}, beat));
            }
            topics.get(0).add(new CommitOrder.Item<>(new long[] {n + 1, 1}, new long[] {n + 1}, true)); // the stream goes on
            CommitOrder<long[]> order = new CommitOrder<>();
            List<long[]> out = new ArrayList<>();
            int[] next = new int[topics.size()];
            int remaining = topics.stream().mapToInt(List::size).sum();
            while (remaining > 0) {
                int t = r.nextInt(topics.size());
                if (next[t] < topics.get(t).size()) {
                    out.addAll(order.offer(topics.get(t).get(next[t]++)));
                    remaining--;
                }
            }
            out.addAll(order.offer(new CommitOrder.Item<>(new long[] {n + 2, 1}, new long[] {n + 2}, true))); // and on
            assertThat(out).as("seed " + seed).hasSize(n + 2);
            assertThat(out.stream().map(e -> e[0]).distinct()).hasSize(n + 2);
            long newestBeat = 0;
            for (long[] e : out) {
                if (e[1] == 1) {
                    newestBeat = Math.max(newestBeat, e[0]);
                } else {
                    long lastBeatBefore = 0;
                    for (List<CommitOrder.Item<long[]>> topic : topics) {
                        for (CommitOrder.Item<long[]> i : topic) {
                            if (i.heartbeat() && i.position()[0] < e[0]) {
                                lastBeatBefore = Math.max(lastBeatBefore, i.position()[0]);
                            }
                        }
                    }
                    assertThat(newestBeat).as("seed %d: change at %d went out before heartbeat %d", seed, e[0], lastBeatBefore)
                            .isGreaterThanOrEqualTo(lastBeatBefore);
                }
            }
        }
    }

    @Test
    void shouldReadCommitPositionsFromDebeziumSourceBlocks() {
        Schema pg = SchemaBuilder.struct().field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA).build();
        assertThat(Positions.POSTGRES.of(new Struct(pg).put("lsn", 500L).put("sequence", "[\"400\",\"500\"]"))).containsExactly(400L, 500L);
        assertThat(Positions.POSTGRES.of(new Struct(pg).put("lsn", 500L).put("sequence", "[null,\"500\"]"))).containsExactly(Long.MIN_VALUE, 500L);
        Schema binlog = SchemaBuilder.struct().field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA)
                .field("row", Schema.INT32_SCHEMA).build();
        long[] a = Positions.BINLOG.of(new Struct(binlog).put("file", "mysql-bin.000009").put("pos", 900L).put("row", 1));
        long[] b = Positions.BINLOG.of(new Struct(binlog).put("file", "mysql-bin.000010").put("pos", 4L).put("row", 0));
        assertThat(java.util.Arrays.compare(a, b)).isNegative();
    }
}
