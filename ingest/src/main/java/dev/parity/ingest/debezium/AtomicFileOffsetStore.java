package dev.parity.ingest.debezium;

import io.debezium.embedded.KafkaConnectUtil;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

/**
 * The captures' offsets file, written whole or not at all (README, "When things fail"). Kafka's
 * {@link FileOffsetBackingStore} truncates the file and writes it in place once a second: a process killed, or a host
 * that loses power, in between leaves it empty or cut short, which the store reads as "no offsets" — the connector then
 * takes a snapshot again instead of resuming. This store writes the same format to a temporary file, forces it to disk,
 * and renames it over the old one; reading is Kafka's, so existing files are read as before.
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
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ObjectOutputStream out = new ObjectOutputStream(Channels.newOutputStream(channel));
                out.writeObject(raw);
                out.flush();
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ConnectException("cannot save the capture's offsets to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes the rename itself durable, where the file system allows it. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system opens a directory for fsync; the rename is still atomic
        }
    }
}
