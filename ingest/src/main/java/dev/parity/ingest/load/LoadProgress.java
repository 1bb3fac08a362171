package dev.parity.ingest.load;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far an unfinished initial load got (README, "The first baseline"): per table, the key ranges whose reads were sent
 * to Kafka and acknowledged, so a load cut short by a crash resumes from the last completed range of each table, not from
 * zero. Kept beside the load's pending file, rewritten whole (a temporary file moved over it) at most every few seconds,
 * and removed with it when the load is applied.
 *
 * <p>Why resuming is exact: a range's reads, once acknowledged, are in the source's topic ahead of anything the resumed
 * run sends, and the reconciler applies them by the same rules as if the run had not stopped (each read only where the
 * key's captured state is older, the load window open until the resumed load's end). A resume point is kept only where
 * the key's values come back exactly from text (integers, decimals, strings, UUIDs, binaries, dates and times without
 * zone); any other key, or a point that no longer fits the table, reads that table again from its start.
 */
public final class LoadProgress {
    private static final Logger LOG = LoggerFactory.getLogger(LoadProgress.class);
    static final String FILE = "initial-load.progress";

    /**
     * One table's progress.
     *
     * @param pass       1: the source's order; 2: the target's (tables paired by key look-ups read both)
     * @param after      the key the next page starts after, in that pass's order; null with {@code done}
     * @param doneAt     when the table's last read ended, once {@code done}
     */
    public record Entry(String table, boolean done, int pass, long sourceRows, long targetRows, Object[] after, Instant doneAt) {
        static Entry done(String table, long sourceRows, long targetRows, Instant at) {
            return new Entry(table, true, 0, sourceRows, targetRows, null, at);
        }

        static Entry at(String table, int pass, long sourceRows, long targetRows, Object[] after) {
            return new Entry(table, false, pass, sourceRows, targetRows, after, null);
        }
    }

    private final Path file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean writeFailed;

    private LoadProgress(Path file) {
        this.file = file;
    }

    /** The progress kept beside {@code pendingFile}, as an earlier run left it (empty when none, or unreadable: read again). */
    public static LoadProgress beside(Path pendingFile) {
        LoadProgress p = new LoadProgress(pendingFile.resolveSibling(FILE));
        if (Files.exists(p.file)) {
            try {
                for (String line : Files.readAllLines(p.file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        Entry e = parse(line);
                        p.entries.put(e.table(), e);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("{} is unreadable ({}): the initial load reads every table again", p.file, e.getMessage());
                p.entries.clear();
            }
        }
        return p;
    }

    /** Forgets any progress beside {@code pendingFile} (a load decided afresh). */
    static void clear(Path pendingFile) throws IOException {
        Files.deleteIfExists(pendingFile.resolveSibling(FILE));
    }

    /** The table's progress; null when it is to be read from its start. */
    public synchronized Entry of(String table) {
        return entries.get(table);
    }

    /**
     * Records {@code e} once Kafka has acknowledged everything {@code producer} sent (flushed first): what a restart trusts
     * must be in the topic. A failed send records nothing (the load stops on it); a file that cannot be written costs a
     * restart this resume point, not the load (said once).
     */
    void recordOnceSent(dev.parity.ingest.kafka.ChangeProducer producer, java.util.concurrent.atomic.AtomicReference<Exception> sendFailure,
                        Entry e) {
        producer.flush();
        if (sendFailure.get() != null) {
            return;
        }
        try {
            record(e);
        } catch (IOException x) {
            if (!writeFailed) {
                writeFailed = true;
                LOG.warn("initial load: cannot record its progress in {} ({}); a restart reads the unfinished tables from their start", file,
                        x.getMessage());
            }
        }
    }

    /**
     * Where {@code table}'s load resumes: its entry when it is a point inside the table that still fits it, null to read it
     * from its start (none, read completely already, or another key now: a different number of key columns, or a second
     * pass where the table is paired by ranges).
     */
    Entry resumePoint(String table, int keyColumns, boolean pairedByLookups) {
        Entry e = of(table);
        if (e == null || e.done()) {
            return null;
        }
        if (e.after() == null || e.after().length != keyColumns || e.pass() < 1 || e.pass() > 2 || (e.pass() == 2 && !pairedByLookups)) {
            LOG.info("initial load: {} is read from its start (the earlier run's progress does not fit its key any more)", table);
            return null;
        }
        return e;
    }

    /**
     * Records a table's progress and writes the file (whole or not at all); false, recording nothing, when the key it
     * resumes after has no exact text (see {@link #encode}).
     */
    synchronized boolean record(Entry e) throws IOException {
        if (!e.done() && encode(e.after()) == null) {
            return false;
        }
        entries.put(e.table(), e);
        StringBuilder b = new StringBuilder("# how far an unfinished initial load got, per table: a restart resumes from here\n");
        for (Entry x : entries.values()) {
            b.append(format(x)).append('\n');
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** A line: table, then {@code done <rows> <rows> <epoch ms>} or {@code <pass> <rows> <rows> <key>}; fields tab-separated. */
    static String format(Entry e) {
        String table = Base64.getEncoder().encodeToString(e.table().getBytes(StandardCharsets.UTF_8));
        return e.done() ? String.join("\t", table, "done", Long.toString(e.sourceRows()), Long.toString(e.targetRows()),
                Long.toString(e.doneAt().toEpochMilli()))
                : String.join("\t", table, Integer.toString(e.pass()), Long.toString(e.sourceRows()), Long.toString(e.targetRows()), encode(e.after()));
    }

    static Entry parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 5) {
            throw new IllegalArgumentException("a progress line has 5 fields, not " + f.length);
        }
        String table = new String(Base64.getDecoder().decode(f[0]), StandardCharsets.UTF_8);
        long s = Long.parseLong(f[2]);
        long t = Long.parseLong(f[3]);
        return f[1].equals("done") ? Entry.done(table, s, t, Instant.ofEpochMilli(Long.parseLong(f[4])))
                : Entry.at(table, Integer.parseInt(f[1]), s, t, decode(f[4]));
    }

    /**
     * A key's values as text that {@link #decode} turns back into equal values, or null when one of them has no such text
     * (a zoned or driver-specific type: its table then resumes from its start).
     */
    static String encode(Object[] key) {
        if (key == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (Object v : key) {
            String one = encodeOne(v);
            if (one == null) {
                return null;
            }
            b.append(b.length() == 0 ? "" : ",").append(one);
        }
        return b.toString();
    }

    private static String encodeOne(Object v) {
        String tag;
        String text;
        if (v instanceof Integer) {
            tag = "i";
            text = v.toString();
        } else if (v instanceof Long || v instanceof Short || v instanceof Byte) {
            tag = v instanceof Long ? "l" : "h";
            text = v.toString();
        } else if (v instanceof BigInteger i) {
            tag = "I";
            text = i.toString();
        } else if (v instanceof BigDecimal d) {
            tag = "d";
            text = d.toString();
        } else if (v instanceof String s) {
            tag = "s";
            text = s;
        } else if (v instanceof UUID u) {
            tag = "u";
            text = u.toString();
        } else if (v instanceof byte[] bytes) {
            return "b:" + Base64.getEncoder().encodeToString(bytes);
        } else if (v instanceof java.sql.Date d) {
            tag = "D";
            text = d.toString();
        } else if (v instanceof LocalDate d) {
            tag = "ld";
            text = d.toString();
        } else if (v instanceof LocalDateTime d) {
            tag = "ldt";
            text = d.toString();
        } else if (v instanceof LocalTime t) {
            tag = "lt";
            text = t.toString();
        } else {
            return null;
        }
        return tag + ":" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Object[] decode(String text) {
        if (text == null || text.equals("null")) {
            throw new IllegalArgumentException("no key");
        }
        List<String> parts = List.of(text.split(",", -1));
        Object[] out = new Object[parts.size()];
        for (int i = 0; i < out.length; i++) {
            String p = parts.get(i);
            int colon = p.indexOf(':');
            String tag = p.substring(0, colon);
            byte[] raw = Base64.getDecoder().decode(p.substring(colon + 1));
            String s = new String(raw, StandardCharsets.UTF_8);
            out[i] = switch (tag) {
                case "i" -> Integer.parseInt(s);
                case "l" -> Long.parseLong(s);
                case "h" -> Short.parseShort(s);
                case "I" -> new BigInteger(s);
                case "d" -> new BigDecimal(s);
                case "s" -> s;
                case "u" -> UUID.fromString(s);
                case "b" -> raw;
                case "D" -> java.sql.Date.valueOf(s);
                case "ld" -> LocalDate.parse(s);
                case "ldt" -> LocalDateTime.parse(s);
                case "lt" -> LocalTime.parse(s);
                default -> throw new IllegalArgumentException("unknown key value type " + tag);
            };
        }
        return out;
    }
}
