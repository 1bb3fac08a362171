package dev.parity.ingest.kafka;

import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Side;
import java.util.Map;

/**
 * The two sides' change topics of one instance, co-partitioned (README, "How it decides"): their names, their
 * partition count, and producers that key and partition records the way the reconciler reads them.
 *
 * @param kafka      client settings every producer uses (bootstrap servers included)
 * @param partitions of each side's topic (the same for both)
 */
public record SideTopics(String name, Map<String, Object> kafka, int partitions, Chunking chunking) {
    public SideTopics {
        kafka = Map.copyOf(kafka);
    }

    /** The change topic of instance {@code name} for one side. */
    public static String topic(String name, Side side) {
        return "parity." + name + "." + side.label();
    }

    public String topic(Side side) {
        return topic(name, side);
    }

    /** Every partition of both topics: the reconciler's input. */
    public java.util.List<org.apache.kafka.common.TopicPartition> partitionsOfBoth() {
        java.util.List<org.apache.kafka.common.TopicPartition> out = new java.util.ArrayList<>();
        for (Side side : Side.values()) {
            for (int p = 0; p < partitions; p++) {
                out.add(new org.apache.kafka.common.TopicPartition(topic(side), p));
            }
        }
        return out;
    }

    /** A new producer to one side's topic; the caller closes it. */
    public ChangeProducer producer(Side side) {
        return new ChangeProducer(kafka, topic(side), partitions, chunking);
    }
}
