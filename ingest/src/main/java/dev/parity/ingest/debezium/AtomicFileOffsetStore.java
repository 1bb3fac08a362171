package dev.parity.ingest.debezium;

import io.debezium.embedded.KafkaConnectUtil;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

/**
 * The captures' offsets file, written whole or not at all (README, "When things fail"). Kafka's
 * {@link FileOffsetBackingStore} truncates the file and writes it in place once a second: a process killed, or a host
 * in between leaves it empty, which the store reads as "no offsets" — the connector then takes a snapshot again instead
 * of resuming. This store writes the same format to a temporary file and renames it over the old one; reading is
 * Kafka's, so existing files are read as before. It does not force the file to disk: the offsets must never be more
 * durable than the events they say were delivered, and the embedded broker leaves flushing its log to the OS too
 * (README, "When things fail": a host that loses power).
 */
public final class AtomicFileOffsetStore extends FileOffsetBackingStore {
    private Path file;

    public AtomicFileOffsetStore() {
        super(KafkaConnectUtil.converterForOffsetStore());
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        file = Path.of(config.getString("offset.storage.file.filename"));
    }

    @Override
    protected void save() {
        Map<byte[], byte[]> raw = new HashMap<>();
        for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
            raw.put(e.getKey() == null ? null : e.getKey().array(), e.getValue() == null ? null : e.getValue().array());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(tmp))) {
                out.writeObject(raw);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ConnectException("cannot save the capture's offsets to " + file + ": " + e.getMessage(), e);
        }
    }
}
