package dev.parity.ingest.debezium;

import java.util.Map;
import org.apache.kafka.connect.data.Struct;

/** Renders a change's position in its database's log, as users of that engine write it. */
@FunctionalInterface
public interface PositionFormat {
    String position(Struct source, Map<String, ?> sourceOffset);

    /** PostgreSQL: the LSN as {@code X/Y}. */
    PositionFormat POSTGRES = (source, offset) -> {
        Object lsn = source.get("lsn");
        if (!(lsn instanceof Long l)) {
            return "";
        }
        return Long.toHexString(l >>> 32).toUpperCase() + "/" + Long.toHexString(l & 0xFFFFFFFFL).toUpperCase();
    };

    /** MySQL and MariaDB: the GTID when the server uses them, else {@code binlog-file:position}. */
    PositionFormat BINLOG = (source, offset) -> {
        Object gtid = source.schema().field("gtid") == null ? null : source.get("gtid");
        if (gtid != null) {
            return gtid.toString();
        }
        Object file = source.get("file");
        Object pos = source.get("pos");
        return file == null ? "" : file + ":" + pos;
    };
}
