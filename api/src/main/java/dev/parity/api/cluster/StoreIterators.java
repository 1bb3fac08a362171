package dev.parity.api.cluster;

import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** The iterators a store query across instances returns. */
final class StoreIterators {
    private StoreIterators() {
    }

    static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a failed query's other answers
            }
        }
    }

    /** One instance's streamed answer as an iterator; a cut-short answer throws {@link org.apache.kafka.streams.errors.InvalidStateStoreException}. */
    static final class Remote<V> implements KeyValueIterator<Bytes, V> {
        private final PeerClient.Answer answer;
        private final Deserializer<V> values;
        private byte[][] next;
        private boolean done;

        Remote(PeerClient.Answer answer, Deserializer<V> values) {
            this.answer = answer;
            this.values = values;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = answer.next();
                done = next == null;
            }
            return next != null;
        }

        @Override
        public KeyValue<Bytes, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<Bytes, V> kv = KeyValue.pair(Bytes.wrap(next[0]), values.deserialize(null, next[1]));
            next = null;
            return kv;
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return Bytes.wrap(next[0]);
        }

        @Override
        public void close() {
            answer.close();
        }
    }

    /** Iterators one after the other; closing closes them all. */
    static final class Concat<V> implements KeyValueIterator<Bytes, V> {
        private final List<KeyValueIterator<Bytes, V>> parts;
        private int i;

        Concat(List<KeyValueIterator<Bytes, V>> parts) {
            this.parts = parts;
        }

        @Override
        public boolean hasNext() {
            while (i < parts.size()) {
                if (parts.get(i).hasNext()) {
                    return true;
                }
                i++;
            }
            return false;
        }

        @Override
        public KeyValue<Bytes, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return parts.get(i).next();
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return parts.get(i).peekNextKey();
        }

        @Override
        public void close() {
            parts.forEach(StoreIterators::closeQuietly);
        }
    }
}
