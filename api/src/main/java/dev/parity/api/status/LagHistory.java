package dev.parity.api.status;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last hour of lag samples, for the dashboard and {@code GET /api/v1/lag}. Thread-safe. */
public final class LagHistory {
    /** One sample; a lag is null when it was unknown at that moment. */
    public record Sample(Instant at, Double replicationLagSeconds, Double sourceCaptureLagSeconds, Double targetCaptureLagSeconds) {
    }

    private final int capacity;
    private final Deque<Sample> samples = new ArrayDeque<>();

    /** @param capacity samples kept: 3600 at one per second is an hour */
    public LagHistory(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(Sample s) {
        samples.addLast(s);
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    public synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }
}
