package dev.parity.ingest.connect;

import org.apache.kafka.connect.data.Struct;

/**
 * A change's place in its database's commit order, from the {@code source} block Debezium writes on every
 * event ({@link CommitOrder}).
 */
@FunctionalInterface
public interface Positions {
    /** The position; null when the event carries none. */
    long[] of(Struct source);

    /**
     * PostgreSQL: {@code source.sequence} is {@code ["<LSN of the previous commit>","<LSN of this change>"]}.
     * Transactions are decoded in commit order, so the previous commit's LSN orders transactions by commit
     * (a change's own LSN does not: a long transaction's changes precede a shorter one committed before it),
     * and the change's LSN orders changes within one.
     */
    Positions POSTGRES = source -> {
        Object seq = source.schema().field("sequence") == null ? null : source.get("sequence");
        if (seq == null) {
            Object lsn = source.schema().field("lsn") == null ? null : source.get("lsn");
            return lsn instanceof Long l ? new long[] {Long.MIN_VALUE, l} : null;
        }
        String s = seq.toString().replaceAll("[\\[\\]\" ]", "");
        String[] parts = s.split(",");
        if (parts.length != 2) {
            return null;
        }
        try {
            return new long[] {parts[0].isEmpty() || "null".equals(parts[0]) ? Long.MIN_VALUE : Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    };

    /**
     * MySQL and MariaDB: the server's own binlog (a replica's too) is written at commit, so
     * {@code (file number, pos, row)} is commit order; {@code file} is {@code name.000042}.
     */
    Positions BINLOG = source -> {
        Object file = source.get("file");
        Object pos = source.get("pos");
        if (file == null || pos == null) {
            return null;
        }
        String f = file.toString();
        long number;
        try {
            number = Long.parseLong(f.substring(f.lastIndexOf('.') + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        Object row = source.schema().field("row") == null ? null : source.get("row");
        return new long[] {number, ((Number) pos).longValue(), row == null ? 0 : ((Number) row).longValue()};
    };
}
