package dev.parity.ingest.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.embedded.KafkaConnectUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileOffsetStoreTest {
    /** A source partition as a connector's offsets name it: [engine, partition]. */
    private static final String KEY = "[\"parity\",{\"server\":\"source\"}]";

    @TempDir
    Path dir;

    @Test
    void shouldWriteKafkasFormatAndKeepTheOldOffsetsWhenASaveFails() throws Exception {
        Path file = dir.resolve("source.offsets");
        AtomicFileOffsetStore store = started(new AtomicFileOffsetStore(), file);
        store.set(Map.of(bytes(KEY), bytes("lsn=1")), null).get();
        store.stop();
        assertThat(read(file)).as("read by Kafka's own store").isEqualTo("lsn=1");

        // A save that cannot complete (here: its temporary file cannot be created) leaves the last offsets whole.
        Files.createDirectory(dir.resolve("source.offsets.tmp"));
        AtomicFileOffsetStore failing = started(new AtomicFileOffsetStore(), file);
        assertThatThrownBy(() -> failing.set(Map.of(bytes(KEY), bytes("lsn=2")), null).get()).hasMessageContaining("cannot save");
        failing.stop();
        assertThat(read(file)).isEqualTo("lsn=1");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("source.offsets", "source.offsets.tmp");
        }
    }

    private static String read(Path file) throws Exception {
        FileOffsetBackingStore kafkas = started(KafkaConnectUtil.fileOffsetBackingStore(), file);
        try {
            ByteBuffer v = kafkas.get(List.of(bytes(KEY))).get().get(bytes(KEY));
            return v == null ? null : StandardCharsets.UTF_8.decode(v).toString();
        } finally {
            kafkas.stop();
        }
    }

    private static <S extends OffsetBackingStore> S started(S store, Path file) {
        store.configure(new StandaloneConfig(Map.of("bootstrap.servers", "unused:9092",
                "key.converter", "org.apache.kafka.connect.json.JsonConverter", "value.converter", "org.apache.kafka.connect.json.JsonConverter",
                "offset.storage.file.filename", file.toString())));
        store.start();
        return store;
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
