package dev.parity.api.cluster;

import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;

/** Which partitions of the reconciler's input this instance holds as active tasks. */
public final class Ownership {
    private Ownership() {
    }

    public static Set<Integer> held(KafkaStreams streams, String topic) {
        Set<Integer> held = new TreeSet<>();
        for (var thread : streams.metadataForLocalThreads()) {
            for (var task : thread.activeTasks()) {
                task.topicPartitions().stream().filter(tp -> tp.topic().equals(topic)).forEach(tp -> held.add(tp.partition()));
            }
        }
        return held;
    }

    /** The partitions of {@code topic} this instance holds, when not all of them; null when all. */
    public static String missing(KafkaStreams streams, String topic, int partitions) {
        Set<Integer> held = held(streams, topic);
        return held.size() == partitions ? null : "partitions " + held + " of 0.." + (partitions - 1) + " of " + topic;
    }
}
