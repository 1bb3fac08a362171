package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.app.Parity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the integration tests ask a running Parity, in one place. */
final class ParityProbe {
    /** Long enough for any verdict on these small datasets, on a loaded 2-core machine. */
    static final Duration VERDICT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParityProbe() {
    }

    /** Opens a connection to one of the databases under test. */
    @FunctionalInterface
    interface Connect {
        java.sql.Connection connect() throws java.sql.SQLException;
    }

    /** The status as the HTTP API sends it: the typed status through the API's own JSON mapping. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> status(Parity parity) {
        return dev.parity.api.status.Json.MAPPER.convertValue(parity.status().status(), Map.class);
    }

    /** Divergences as the HTTP API sends them. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> divergences(Parity parity, String table, int limit) {
        return parity.status().divergences(table, limit).stream()
                .map(d -> (Map<String, Object>) dev.parity.api.status.Json.MAPPER.convertValue(d, Map.class)).toList();
    }

    /** One table as {@code GET /api/v1/tables/{table}} sends it. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> tableDoc(Parity parity, String table) {
        return dev.parity.api.status.Json.MAPPER.convertValue(parity.status().table(table), Map.class);
    }

    static String state(Parity parity) {
        return (String) status(parity).get("state");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> table(Parity parity, String name) {
        return ((List<Map<String, Object>>) status(parity).get("tables")).stream()
                .filter(t -> name.equals(t.get("table"))).findFirst().orElseThrow();
    }

    static void awaitInSync(Parity parity) {
        await().atMost(VERDICT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(state(parity)).isEqualTo("IN_SYNC"));
    }

    /** POSTs to the readiness endpoint; {@code token} null sends no Authorization header. */
    static HttpResponse<String> postReadiness(Parity parity, String token, String params) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + parity.port() + "/api/v1/readiness" + params))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The readiness report; its HTTP status must agree with its verdict (200 READY, 503 not). */
    static JsonNode readiness(Parity parity, String token, String params) throws Exception {
        HttpResponse<String> r = postReadiness(parity, token, params);
        JsonNode report = JSON.readTree(r.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(report.path("ready").asBoolean() ? 200 : 503);
        return report;
    }

    /** Names of the checks that did not pass. */
    static List<String> failing(JsonNode report) {
        List<String> out = new ArrayList<>();
        report.path("checks").forEach(c -> {
            if (!"PASS".equals(c.path("status").asText())) {
                out.add(c.path("name").asText());
            }
        });
        return out;
    }

    /** Waits until a side's table holds exactly {@code rows} rows (replication caught up; the table itself may not be there yet). */
    static void awaitRows(Connect side, String table, long rows) {
        awaitRows(side, table, rows, Duration.ofSeconds(60));
    }

    /** As {@link #awaitRows(Connect, String, long)}, for a copy that takes longer (hundreds of megabytes). */
    static void awaitRows(Connect side, String table, long rows, Duration atMost) {
        await().atMost(atMost)
                .ignoreExceptionsMatching(e -> e instanceof java.sql.SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("42"))
                .until(() -> { // SQLSTATE 42…: no such table (yet)
            try (java.sql.Connection c = side.connect(); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                return rs.next() && rs.getLong(1) == rows;
            }
        });
    }

    /** One named check of a readiness report. */
    static JsonNode check(JsonNode report, String name) {
        for (JsonNode c : report.path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }

    static void awaitReady(Parity parity, String token) {
        await().atMost(VERDICT).untilAsserted(() -> {
            JsonNode r = readiness(parity, token, "?timeout=30s");
            assertThat(failing(r)).as(r.toString()).isEmpty();
            assertThat(r.path("ready").asBoolean()).isTrue();
        });
    }

    /** Rows read, and rows whose JDBC-read hash equals the hash the change stream left in the state. */
    record Reread(long rows, long matched, List<String> mismatched) {
    }

    /**
     * Reads every row of a table by JDBC the way the verification sweep does and compares each row's
     * hash with the one the change stream gave it: the proof that both paths encode every type alike.
     */
    static Reread rereadAndCompare(Parity parity, dev.parity.reconciler.model.Side side, dev.parity.ingest.engine.Engine engine,
                                   java.sql.Connection c, String table, String mappedId, List<String> key) throws Exception {
        dev.parity.ingest.schema.SchemaReader reader = engine == dev.parity.ingest.engine.Engine.POSTGRESQL
                ? new dev.parity.ingest.schema.PostgresSchemaReader() : new dev.parity.ingest.schema.BinlogSchemaReader();
        var schema = reader.read(c, List.of(table)).get(table);
        var plan = dev.parity.ingest.verify.TableScan.plan(engine, table, mappedId, key, schema, null, 97,
                parity.runtime().config().tables().rules(mappedId)); // the column rules the stream applies too
        assertThat(plan.problem()).isNull();
        dev.parity.ingest.verify.TableScan.prepare(c, engine);
        long rows = 0;
        long matched = 0;
        List<String> mismatched = new ArrayList<>();
        Object[] after = null;
        do {
            var page = plan.scan().read(c, after);
            for (var row : page.rows()) {
                rows++;
                var state = parity.status().view().key(row.key());
                var s = state == null ? null : state.side(side);
                if (s != null && row.hash().equals(s.hash())) {
                    matched++;
                } else {
                    mismatched.add(dev.parity.reconciler.canonical.CanonicalReader.keyColumns(row.key()).toString());
                }
            }
            after = page.lastKey();
        } while (after != null);
        c.setAutoCommit(true);
        return new Reread(rows, matched, mismatched);
    }

    /** Waits for the first verification round, which starts by itself once both captures stream. */
    static void awaitRereadOnce(Parity parity) {
        await().atMost(VERDICT).pollInterval(Duration.ofMillis(200)).until(() -> parity.sweeper().completedRounds() >= 1);
    }

    /** Asks for a verification round and waits for it; returns what it found per table and side. */
    static List<dev.parity.ingest.sweep.Sweeper.TableResult> sweep(Parity parity) {
        long round = parity.sweeper().requestRound();
        await().atMost(VERDICT).pollInterval(Duration.ofMillis(200)).until(() -> parity.sweeper().completedRounds() >= round);
        return parity.sweeper().results();
    }

    /** Closes in order, skipping nulls, so a failed start still tears down what did start. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Binlog dump threads of {@code user} on a MySQL or MariaDB server: its captures' streams. */
    static long binlogDumps(java.sql.Connection connection, String user) throws Exception {
        try (java.sql.Connection c = connection; java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'")) {
            ps.setString(1, user);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Every message of a failure and its causes, as one string: what a user would read of it. */
    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
