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
 * live: a reconciler still working through a snapshot backlog sees matching prefixes of both sides. What the reconciler has
 * committed is purged from the side topics every {@link #PURGE_EVERY}.
 */
public final class ReconcilerProgress implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReconcilerProgress.class);
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
        purgeCommitted(now, committed);
    }

    /** How often side-topic records below the reconciler's committed offsets are purged. */
    static final java.time.Duration PURGE_EVERY = java.time.Duration.ofSeconds(30);
    private final Map<TopicPartition, Long> purgedTo = new HashMap<>();
    private Instant lastPurge = Instant.EPOCH;
    private boolean purgeFailed;

    /**
     * Deletes the side-topic records the reconciler has committed (README, "Disk"), as Kafka Streams does for its own
     * repartition topics: nothing reads them again — a restart resumes at the committed offsets, with the stores restored
     * from their changelogs — and kept, they would grow the disk with every change for the topics' retention (7 days).
     * Kafka frees them a segment at a time. Failures are logged, never fatal: the records then stay until retention.
     */
    private void purgeCommitted(Instant now, Map<TopicPartition, OffsetAndMetadata> committed) {
        if (now.isBefore(lastPurge.plus(PURGE_EVERY))) {
            return;
        }
        lastPurge = now;
        Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> purge = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            if (c != null && c.offset() > purgedTo.getOrDefault(tp, 0L)) {
                purge.put(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(c.offset()));
            }
        }
        if (purge.isEmpty()) {
            return;
        }
        try {
            admin.deleteRecords(purge).all().get(10, TimeUnit.SECONDS);
            purge.forEach((tp, r) -> purgedTo.put(tp, r.beforeOffset()));
            purgeFailed = false;
        } catch (Exception e) {
            if (!purgeFailed) {
                LOG.warn("purging the side topics' reconciled records failed (tried again every {} s): {}", PURGE_EVERY.toSeconds(), e.getMessage());
            }
            purgeFailed = true;
        }
    }

    private static boolean covers(Map<TopicPartition, Long> done, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> done.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Everything captured up to this time has been reconciled; null until a first sample is covered. */
    public Instant reconciledThrough() {
        return reconciledThrough;
    }

    /**
     * Records captured but not yet reconciled at the last sample (a record carries one event, or a capture batch's events of
     * one partition); -1 before any.
     */
    public long backlog() {
        return backlog;
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
