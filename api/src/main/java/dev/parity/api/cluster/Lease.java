package dev.parity.api.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture lease of one application (README, "Deployment"): of the instances sharing a {@code name}, the one
 * whose consumer holds the single partition of the control topic {@code parity-<name>-lease} runs the work done
 * once — both sides' capture, the heartbeats, the sweep, the drill-down, the alerts. Kafka's group coordinator
 * hands the partition to one member at a time; a member that dies is dropped after {@code session} and another
 * takes the lease. The holder gives the lease up itself when it has not heard from the coordinator for most
 * of a session (cut off from Kafka: another instance is about to take it), so two holders never overlap.
 * Taking the lease runs {@code onAcquired}; losing it runs {@code onLost} once, after which the instance must
 * stop its leader work (Parity exits and is restarted as a follower).
 */
public final class Lease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
    private static final String CLIENT_PREFIX = "parity-lease@";

    private final String topic;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration session;
    private volatile Runnable onAcquired;
    private volatile Runnable onLost;
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closing;
    private volatile long acquiredAt;
    private volatile HostInfo cachedLeader;
    private volatile long cachedAt;

    public Lease(Map<String, Object> kafka, String name, HostInfo self, Duration session) throws Exception {
        this.topic = "parity-" + name + "-lease";
        this.session = session;
        this.admin = Admin.create(kafka);
        if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e; // another instance creating it at the same moment is fine
                }
            }
        }
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, CLIENT_PREFIX + self.host() + ":" + self.port());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session.toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, session.toMillis() / 10));
        // Sticky: an instance joining does not move the lease away from the one holding it.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        this.thread = new Thread(this::run, "parity-lease");
        thread.setDaemon(true);
    }

    /** Joins the lease group: {@code onAcquired} runs (on its own thread) when this instance takes the lease, {@code onLost} once if it loses it. */
    public Lease start(Runnable onAcquired, Runnable onLost) {
        this.onAcquired = onAcquired;
        this.onLost = onLost;
        thread.start();
        return this;
    }

    /** Whether this instance holds the lease now. */
    public boolean held() {
        return held.get();
    }

    /** The instance holding the lease, by its advertised address; null while none does (failing over). Cached for half a second. */
    public HostInfo holder() {
        long now = System.nanoTime();
        if (now - cachedAt < 500_000_000L) {
            return cachedLeader;
        }
        HostInfo found = null;
        try {
            Collection<MemberDescription> members = admin.describeConsumerGroups(List.of(topic)).describedGroups().get(topic)
                    .get(5, TimeUnit.SECONDS).members();
            for (MemberDescription m : members) {
                Set<TopicPartition> parts = m.assignment().topicPartitions();
                if (parts.contains(new TopicPartition(topic, 0)) && m.clientId().startsWith(CLIENT_PREFIX)) {
                    found = HostInfo.buildFromEndpoint(m.clientId().substring(CLIENT_PREFIX.length()));
                }
            }
        } catch (Exception e) {
            LOG.debug("could not describe the lease group {}: {}", topic, e.getMessage());
        }
        cachedLeader = found;
        cachedAt = now;
        return found;
    }

    private void run() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty() && !lost.get() && held.compareAndSet(false, true)) {
                    acquiredAt = System.nanoTime();
                    LOG.info("this instance holds the capture lease ({})", topic);
                    Thread t = new Thread(onAcquired, "parity-lease-acquired"); // slow to start; the poll loop keeps going
                    t.setDaemon(true);
                    t.start();
                }
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    lose("the group gave the lease to another instance");
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    lose("this instance was dropped from the lease group");
                }
            }
        });
        try {
            while (!closing) {
                consumer.poll(Duration.ofMillis(200));
                // Since the last heartbeat the coordinator answered, but no longer than the lease is held (the
                // metric counts from the epoch until the first heartbeat after joining).
                double silent = Math.min(lastHeartbeatSecondsAgo(), (System.nanoTime() - acquiredAt) / 1e9);
                if (held.get() && silent * 1000 > session.toMillis() * 0.6) {
                    lose("no word from Kafka's group coordinator for " + (long) silent + " s (another instance takes the lease after "
                            + session.toSeconds() + " s)");
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closing) {
                LOG.error("the capture lease's consumer failed", e);
                lose("its consumer failed: " + e.getMessage());
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private double lastHeartbeatSecondsAgo() {
        for (var e : consumer.metrics().entrySet()) {
            if (e.getKey().name().equals("last-heartbeat-seconds-ago") && e.getKey().group().equals("consumer-coordinator-metrics")) {
                Object v = e.getValue().metricValue();
                return v instanceof Number n && n.doubleValue() >= 0 ? n.doubleValue() : 0;
            }
        }
        return 0;
    }

    private void lose(String why) {
        if (held.compareAndSet(true, false) && lost.compareAndSet(false, true) && !closing) {
            LOG.error("lost the capture lease: {}", why);
            onLost.run();
        }
    }

    @Override
    public void close() {
        closing = true;
        if (!thread.isAlive()) {
            consumer.close(Duration.ofSeconds(5)); // never started
            admin.close(Duration.ofSeconds(5));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
