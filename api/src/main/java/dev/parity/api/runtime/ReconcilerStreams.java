package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.reconciler.topology.ReconcilerSettings;
import dev.parity.reconciler.topology.ReconcilerTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import dev.parity.api.cluster.ClusterStores;
import dev.parity.api.cluster.Ownership;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.query.StoreAccess;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reconciler's Kafka side: both sides' topics (co-partitioned) and the Kafka Streams application. */
final class ReconcilerStreams {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcilerStreams.class);

    private ReconcilerStreams() {
    }

    /** Creates missing side topics; returns their partition count, which must be the same for both. */
    static int ensureTopics(Map<String, Object> kafkaProps, String sourceTopic, String targetTopic, int partitions, boolean embedded)
            throws Exception {
        try (Admin admin = Admin.create(kafkaProps)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            for (String topic : List.of(sourceTopic, targetTopic)) {
                if (!existing.contains(topic)) {
                    create.add(new NewTopic(topic, partitions, embedded ? (short) 1 : (short) -1).configs(SIDE_TOPIC_CONFIG));
                }
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                    // another instance of the application created it at the same moment (README, "Deployment")
                }
            }
            Map<String, TopicDescription> d = describe(admin, List.of(sourceTopic, targetTopic));
            int s = d.get(sourceTopic).partitions().size();
            int t = d.get(targetTopic).partitions().size();
            if (s != t) {
                throw new IllegalStateException("topics " + sourceTopic + " and " + targetTopic
                        + " must have the same partition count to be co-partitioned; they have " + s + " and " + t);
            }
            return s;
        }
    }

    /**
     * A side topic's settings (README, "Disk"): the reconciler's committed records are purged ({@link ReconcilerProgress}),
     * which frees disk a whole segment at a time, so segments roll at 8 MB or 10 minutes instead of Kafka's 1 GB or 7 days.
     */
    static final Map<String, String> SIDE_TOPIC_CONFIG = dev.parity.reconciler.topology.ReconcilerTopology.SEGMENTS;

    /**
     * Brings the settings of topics made by an earlier version (side topics, store changelogs) to this version's, so a state
     * dir kept across an upgrade stops growing too. Changelogs Kafka Streams has not created yet get them when it does.
     */
    static void alignTopicConfigs(Map<String, Object> kafkaProps, String applicationId, List<String> sideTopics) throws Exception {
        Map<org.apache.kafka.common.config.ConfigResource, java.util.Collection<org.apache.kafka.clients.admin.AlterConfigOp>> ops = new java.util.HashMap<>();
        try (Admin admin = Admin.create(kafkaProps)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String topic : sideTopics) {
                ops.put(topicResource(topic), setting(SIDE_TOPIC_CONFIG));
            }
            for (String store : dev.parity.reconciler.topology.ReconcilerTopology.storeNames()) {
                String changelog = applicationId + "-" + store + "-changelog";
                if (existing.contains(changelog)) {
                    ops.put(topicResource(changelog), setting(dev.parity.reconciler.topology.ReconcilerTopology.CHANGELOG));
                }
            }
            admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static org.apache.kafka.common.config.ConfigResource topicResource(String topic) {
        return new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
    }

    private static List<org.apache.kafka.clients.admin.AlterConfigOp> setting(Map<String, String> config) {
        return config.entrySet().stream().map(e -> new org.apache.kafka.clients.admin.AlterConfigOp(
                new org.apache.kafka.clients.admin.ConfigEntry(e.getKey(), e.getValue()), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)).toList();
    }

    /** Newly created topics can take a moment to appear in metadata: retried, bounded, with backoff. */
    private static Map<String, TopicDescription> describe(Admin admin, List<String> topics) throws Exception {
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || attempt == 10) {
                    throw new IllegalStateException("describing topics " + topics + " failed after " + attempt + " attempt(s)", e.getCause());
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 2_000);
            }
        }
    }

    private static final int MAX_REPLACEMENTS = 2;
    private static final long REPLACEMENT_WINDOW_MS = 10 * 60_000;

    /** This instance's static member id in the reconciler's group: one per name and state dir. */
    static String instanceId(ParityConfig config, Path state) {
        return "parity-" + config.name() + "-" + Integer.toHexString(state.toAbsolutePath().normalize().toString().hashCode());
    }

    /** How long a member of another instance may take to leave the group (a clean stop leaves at once) before a start is refused. */
    private static final java.time.Duration OTHER_INSTANCE_WAIT = java.time.Duration.ofSeconds(15);

    /**
     * Refuses to start a second instance of one name on one Kafka with its own embedded captures (README, "Deployment"):
     * both would capture with the same replication slots and binlog server ids, each breaking the other's stream. Asked
     * before anything of this instance touches Kafka or a capture: the reconciler's group ({@code parity-<name>}) must
     * have no member but this instance's own earlier self (same state dir). A member that stays 15 s is another
     * running instance, named in the refusal.
     */
    static void refuseAnotherInstance(Map<String, Object> kafkaProps, ParityConfig config, Path state) throws Exception {
        String group = "parity-" + config.name();
        String self = instanceId(config, state);
        long deadline = System.nanoTime() + OTHER_INSTANCE_WAIT.toNanos();
        try (Admin admin = Admin.create(kafkaProps)) {
            while (true) {
                List<org.apache.kafka.clients.admin.MemberDescription> others;
                try {
                    others = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, java.util.concurrent.TimeUnit.SECONDS)
                            .members().stream().filter(m -> !m.groupInstanceId().map(self::equals).orElse(false)).toList();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                        return; // never started on this Kafka
                    }
                    throw e;
                }
                if (others.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    String who = others.stream().map(m -> m.host().replaceFirst("^/", "") + m.groupInstanceId().map(i -> " (" + i + ")").orElse(""))
                            .distinct().collect(java.util.stream.Collectors.joining(", "));
                    throw dev.parity.api.config.ConfigException.atStart(List.of(new dev.parity.api.config.ConfigProblem("name", config.name(),
                            "another Parity of this name is running on this Kafka, at " + who + ": several instances need capture.mode:"
                                    + " connect (README, \"Deployment\"); stop that one, or give this one another name")));
                }
                Thread.sleep(500);
            }
        }
    }

    static KafkaStreams start(Map<String, Object> kafkaProps, ParityConfig config, Path state, ReconcilerSettings settings) {
        Properties p = new Properties();
        p.putAll(kafkaProps);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "parity-" + config.name());
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("streams").toString());
        // Key state, chunk digests and indexes must move together after a crash: exactly-once commits each
        // task's store changelogs and input offsets atomically. (Replays alone are harmless per key, but a
        // crash between two stores' changelog writes would leave a digest off.) A user may choose at_least_once in
        // kafka.properties (a cluster without transactions); the tasks then audit their stores at start (StateAudit).
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Each exactly-once commit ends a transaction and flushes every store (RocksDB writes an SST file). Parity
        // has no downstream readers waiting on committed output and queries read the stores directly, so a
        // longer interval costs no verdict latency, only more replay after a crash (which can only move a
        // fence later). Measured (BENCHMARKS.md, "Keeping up"): 5 s instead of 1 s took the replication lag
        // p99 at a quarter of the write ceiling from 12.8 s to 0.9 s, with a flat backlog; 1 s instead of
        // 100 ms took 10-15 % off a 1 M-row first verdict.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5000);
        // Streams' default transaction timeout (10 s) is only twice that: under a flood on a starved machine
        // (100,000 target-only changes at once, DivergenceFloodIT) a commit came late, the broker aborted the
        // transaction and fenced the thread, and every task was closed dirty and restored. A minute leaves room;
        // it only bounds how long a crashed instance's open transaction could hold readers back, and a restarted
        // instance aborts its own at once (same transactional id).
        p.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 60_000);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, dev.parity.reconciler.topology.ParityRocksDbConfig.class);
        // Static membership, one id per instance (its state dir): a restarted Parity takes its partitions
        // back at once instead of waiting out the old member's 45 s session, and leaveGroup on close works
        // (Kafka Streams' CloseOptions.leaveGroup only removes static members).
        p.put(StreamsConfig.consumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId(config, state));
        if (config.kafka().embedded()) {
            p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        }
        if (config.api().advertise() != null) {
            // One of several instances: Kafka Streams tells every instance where each partition lives by this address.
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.api().advertise());
            // A dead instance's partitions move after this long (Streams' default is 45 s); the capture lease's is the same.
            p.put(StreamsConfig.consumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        }
        p.putAll(config.kafka().properties()); // the user's settings win
        KafkaStreams streams = new KafkaStreams(ReconcilerTopology.build(settings), p);
        // A failed thread is replaced, a few times: a passing fault (a broker hiccup) costs one replacement. One that
        // keeps failing (a task that cannot start: a store left locked by the failed thread, a record it cannot
        // apply) would loop for ever, reporting STALE and never recovering; after the third failure in ten
        // minutes the reconciler stops instead, and Parity exits non-zero saying why (README, "When things fail"),
        // for its supervisor to start a fresh process.
        java.util.Deque<Long> failures = new java.util.ArrayDeque<>();
        streams.setUncaughtExceptionHandler(e -> {
            long now = System.currentTimeMillis();
            synchronized (failures) {
                failures.addLast(now);
                while (failures.peekFirst() < now - REPLACEMENT_WINDOW_MS) {
                    failures.removeFirst();
                }
                if (failures.size() > MAX_REPLACEMENTS) {
                    LOG.error("reconciler failed {} times in {} min; stopping it", failures.size(), REPLACEMENT_WINDOW_MS / 60_000, e);
                    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                }
            }
            LOG.error("reconciler failed; replacing its thread", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        return streams;
    }

    /**
     * Read-only queries over the running application's stores. With {@code api.advertise} set, across every
     * instance of the application ({@link ClusterStores}). Without it, only while this instance holds every
     * partition of the side topic as an active task: an instance holding some (another process of the same
     * {@code name} joined the application, or a rebalance is moving them) would sum half the keys and could
     * call a table IN_SYNC that is not, so its queries fail as a store not ready, with the partitions it lacks
     * (README, "Deployment").
     */
    static ReconcilerView view(KafkaStreams streams, ParityConfig config, Chunking chunking, String sourceTopic, int partitions) {
        if (config.api().advertise() != null) {
            return new ReconcilerView(new ClusterStores(streams, config.api().advertised(), sourceTopic, partitions, chunking, config.api().token(),
                    dev.parity.api.http.ApiTls.forApi(config.api())),
                    chunking);
        }
        return new ReconcilerView(new StoreAccess() {
            // Checked at most every 100 ms: the sweep asks for a store per row it reads. A rebalance meanwhile
            // makes the store calls themselves fail (threads not RUNNING).
            private volatile long checkedAt = Long.MIN_VALUE;
            private volatile String missing;

            @Override
            public <V> ReadOnlyKeyValueStore<Bytes, V> store(String name) {
                ensureWhole();
                return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<Bytes, V>keyValueStore()));
            }

            @Override
            public <V> ReadOnlyKeyValueStore<Bytes, V> store(String name, int partition) {
                ensureWhole();
                return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<Bytes, V>keyValueStore())
                        .withPartition(partition));
            }

            /** Throws unless this instance holds every partition (its answers would be partial). */
            private void ensureWhole() {
                long now = System.nanoTime();
                if (checkedAt == Long.MIN_VALUE || now - checkedAt > 100_000_000L) {
                    missing = Ownership.missing(streams, sourceTopic, partitions);
                    checkedAt = now;
                }
                String missing = this.missing;
                if (missing != null) {
                    KafkaStreams.State state = streams.state();
                    if (state != KafkaStreams.State.RUNNING) { // starting, or a rebalance: the usual first seconds of a start
                        throw new InvalidStateStoreException("the reconciler is " + state.name().toLowerCase(java.util.Locale.ROOT)
                                + " (it holds " + missing + " so far)");
                    }
                    throw new InvalidStateStoreException("this instance holds " + missing + ": the others are with another instance of the"
                            + " application or moving; its answers would be partial (set api.advertise and api.token on every instance to"
                            + " let them answer for each other)");
                }
            }
        }, chunking);
    }

    /** Leaves the group on close (a static member; see {@link #start}), so nothing waits for its session to expire. */
    static void stop(KafkaStreams streams) {
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
    }
}
