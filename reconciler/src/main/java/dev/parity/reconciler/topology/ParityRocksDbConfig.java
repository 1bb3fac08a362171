package dev.parity.reconciler.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * RocksDB settings of the per-key state store. Kafka Streams leaves RocksDB uncompressed; keys of one
 * table share a long prefix (the table id) and values are small records with repeated shapes, so LZ4
 * roughly halves what each key costs on disk for little CPU (BENCHMARKS.md).
 */
public final class ParityRocksDbConfig implements RocksDBConfigSetter {
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
    }

    @Override
    public void close(String storeName, Options options) {
    }
}
