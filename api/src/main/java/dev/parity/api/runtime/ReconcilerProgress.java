package dev.parity.api.runtime;

import dev.parity.reconciler.topology.ReconcilerLink;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the reconciler has consumed its input. Once a second the input topics' end offsets are
 * sampled; the reconciler has reconciled everything captured up to a sample's time once its processed
 * positions (this process's own, else the committed offsets) reach that sample on every partition. Status relies on this, not on the captures being
 * live: a reconciler still working through a snapshot backlog sees matching prefixes of both sides.
 */
public final class ReconcilerProgress implements AutoCloseable {
    private record Sample(Instant at, Map<TopicPartition, Long> ends) {
    }

    private final Admin admin;
    private final ReconcilerLink link;
    private final String groupId;
    private final List<TopicPartition> partitions;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private volatile Instant reconciledThrough;
    private volatile long backlog = -1;

    public ReconcilerProgress(Map<String, Object> kafkaProps, String groupId, List<TopicPartition> partitions, ReconcilerLink link, Clock clock) {
        this.admin = Admin.create(kafkaProps);
        this.link = link;
        this.groupId = groupId;
        this.partitions = List.copyOf(partitions);
        this.clock = clock;
    }

    /** Takes a sample and moves {@link #reconciledThrough()} forward; call about once a second. */
    public synchronized void sample() throws Exception {
        Instant now = clock.instant();
        Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all().get(10, TimeUnit.SECONDS).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> done = new HashMap<>();
        // What this process's tasks have processed, where known: committed offsets trail it by up to a commit
        // interval (and the stores the API reads hold everything processed, committed or not).
        partitions.forEach(tp -> done.put(tp, Math.max(committed.get(tp) == null ? 0L : committed.get(tp).offset(), link.position(tp))));
        samples.addLast(new Sample(now, ends));
        Sample reached = null;
        while (!samples.isEmpty() && covers(done, samples.peekFirst().ends())) {
            reached = samples.removeFirst();
        }
        if (reached != null) {
            reconciledThrough = reached.at();
        }
        backlog = partitions.stream().mapToLong(tp -> Math.max(0, ends.get(tp) - done.get(tp))).sum();
    }

    private static boolean covers(Map<TopicPartition, Long> done, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> done.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Everything captured up to this time has been reconciled; null until a first sample is covered. */
    public Instant reconciledThrough() {
        return reconciledThrough;
    }

    /** Events captured but not yet reconciled at the last sample; -1 before any. */
    public long backlog() {
        return backlog;
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
