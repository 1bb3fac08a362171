package dev.parity.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parity.api.cluster.Forwarder;
import dev.parity.api.cluster.StoreEndpoint;
import dev.parity.api.config.Durations;
import dev.parity.api.metrics.ParityMetrics;
import dev.parity.api.readiness.ReadinessGate;
import dev.parity.api.status.LagHistory;
import dev.parity.api.status.StatusService;
import dev.parity.api.status.TableStatus;
import dev.parity.ingest.sweep.Sweeper;
import dev.parity.reconciler.rules.ReadinessReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (JSON), Prometheus metrics and the dashboard. Bound to 127.0.0.1 unless the config
 * says otherwise. One mapper turns failures into a status code and a JSON body.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = dev.parity.api.status.Json.MAPPER;

    private final HttpServer server;
    private final StatusService status;
    private final ParityMetrics metrics;
    private final String token;
    private final StoreEndpoint stores;
    /** Null for a single instance; otherwise passes requests to the instance holding the capture lease. */
    private final Forwarder forwarder;

    /**
     * @param stores    answers other instances' store queries
     * @param forwarder null for a single instance
     */
    public ApiServer(String bind, int port, String token, StatusService status, LagHistory history, ParityMetrics metrics,
                     ReadinessGate gate, StoreEndpoint stores, Forwarder forwarder, java.time.Duration lagThreshold) throws IOException {
        this.status = status;
        this.forwarder = forwarder;
        this.stores = stores;
        this.token = token;
        this.metrics = metrics;
        this.server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "parity-http");
            t.setDaemon(true);
            return t;
        }));
        route("/health", ex -> json(ex, 200, Map.of("status", "UP")));
        route("/api/v1/status", ex -> json(ex, 200, status.status()));
        route("/api/v1/tables", this::tables);
        route("/api/v1/divergences", ex -> {
            Map<String, String> q = query(ex);
            int limit = q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : 100;
            if (limit < 1 || limit > 10_000) {
                throw new BadRequest("limit: " + limit + ": must be from 1 to 10000");
            }
            // Row values (the differing columns' source and target values) only for a caller with the token.
            json(ex, 200, Map.of("divergences", status.divergences(q.get("table"), limit, hasToken(ex))));
        });
        route("/api/v1/divergences/summary", ex -> {
            var tables = status.summaries(query(ex).get("table"));
            json(ex, 200, Map.of("groups", tables.stream().flatMap(t -> t.groups().stream()).toList(), "tables", tables));
        });
        route("/api/v1/readiness", "POST", ex -> {
            if (!authorized(ex)) {
                return;
            }
            Map<String, String> q = query(ex);
            try {
                ReadinessReport r = gate.evaluate(duration(q.getOrDefault("timeout", "60s")), duration(q.getOrDefault("maxLag", "10s")));
                json(ex, r.ready() ? 200 : 503, r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                json(ex, 503, Map.of("error", "interrupted"));
            }
        });
        // The gate's latest answer (it names keys, which are row values: the token is needed, as to run the gate).
        route("/api/v1/readiness/last", ex -> {
            if (!authorized(ex)) {
                return;
            }
            ReadinessReport r = gate.last();
            if (r == null) {
                json(ex, 404, Map.of("error", "the gate has not been run yet (POST /api/v1/readiness)"));
            } else {
                json(ex, 200, r);
            }
        });
        route("/api/v1/verify", "POST", ex -> {
            if (!authorized(ex)) {
                return;
            }
            Sweeper sweeper = status.sweeper();
            if (sweeper == null) {
                json(ex, 503, Map.of("error", "the verification sweep is starting (this instance has just taken over the capture lease)"));
                return;
            }
            String disabled = sweeper.disabledReason();
            if (disabled != null) {
                json(ex, 409, Map.of("error", "the verification sweep is off: " + disabled));
                return;
            }
            json(ex, 202, Map.of("round", sweeper.requestRound()));
        });
        route("/api/v1/diff", ex -> {
            Map<String, String> q = query(ex);
            if (q.get("table") == null || q.get("key") == null) {
                throw new BadRequest("table, key: both are required (key as JSON, such as {\"id\": 42})");
            }
            Map<String, Object> key;
            try {
                key = KEYS.readValue(q.get("key"), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                throw new BadRequest("key: " + q.get("key") + ": must be a JSON object of primary-key column to value, such as {\"id\": 42}");
            }
            try {
                Map<String, Object> d = status.diffNow(q.get("table"), key, hasToken(ex));
                if (d == null) {
                    json(ex, 404, Map.of("error", "no watched table named " + q.get("table") + " (or drilldown.enabled is false)"));
                } else {
                    json(ex, 200, d);
                }
            } catch (java.sql.SQLException e) {
                json(ex, 503, Map.of("error", "could not read the rows: " + e.getMessage()));
            }
        });
        route("/api/v1/repair", ex -> {
            if (!authorized(ex)) {
                return; // it returns row values
            }
            String table = query(ex).get("table");
            if (table == null) {
                throw new BadRequest("table: (missing): is required");
            }
            List<Map<String, Object>> keys = new ArrayList<>();
            for (String k : queryAll(ex, "key")) {
                try {
                    keys.add(KEYS.readValue(k, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
                } catch (IOException e) {
                    throw new BadRequest("key: " + k + ": must be a JSON object of primary-key column to value, such as {\"id\": 42}");
                }
            }
            try {
                var r = status.repair(table, keys);
                if (r == null) {
                    json(ex, 404, Map.of("error", "no watched table named " + table));
                    return;
                }
                send(ex, 200, "application/sql; charset=utf-8", r.sql().getBytes(StandardCharsets.UTF_8));
            } catch (java.sql.SQLException e) {
                json(ex, 503, Map.of("error", "could not read the rows: " + e.getMessage()));
            }
        });
        route("/api/v1/lag", ex -> json(ex, 200, Map.of("samples", history.samples(), "thresholdSeconds", lagThreshold.toMillis() / 1000.0)));
        route("/metrics", this::metrics);
        // Other instances of the application read this one's partitions here (README, "Deployment"): row keys are row values.
        route("/internal/v1/store", "POST", ex -> {
            if (authorized(ex)) {
                stores.handle(ex);
            }
        });
        route("/", this::dashboard);
    }

    /**
     * The application's metrics (from the lease holder, where this instance does not hold it) plus this
     * instance's own: whether it holds the lease, how many partitions it holds (README, "Metrics").
     */
    private void metrics(HttpExchange ex) throws IOException {
        String type = "text/plain; version=0.0.4; charset=utf-8";
        if (forwarder == null) {
            send(ex, 200, type, metrics.scrape(status.status()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        String own = "# HELP parity_instance_lease_held Whether this instance holds the capture lease (runs capture, heartbeats, sweep)\n"
                + "# TYPE parity_instance_lease_held gauge\n"
                + "parity_instance_lease_held{instance=\"" + forwarder.self() + "\"} " + (forwarder.local() ? 1 : 0) + "\n"
                + "# HELP parity_instance_partitions_active Partitions of the reconciler's input this instance holds as active tasks\n"
                + "# TYPE parity_instance_partitions_active gauge\n"
                + "parity_instance_partitions_active{instance=\"" + forwarder.self() + "\"} " + stores.held().size() + "\n";
        if (forwarder.local()) {
            send(ex, 200, type, (metrics.scrape(status.status()) + own).getBytes(StandardCharsets.UTF_8));
            return;
        }
        Forwarder.Answer a = forwarder.ask(ex);
        if (a.code() != 200) {
            send(ex, a.code(), a.type(), a.body());
            return;
        }
        ex.getResponseHeaders().set(Forwarder.ANSWERED_BY, a.by());
        send(ex, 200, type, (new String(a.body(), StandardCharsets.UTF_8) + own).getBytes(StandardCharsets.UTF_8));
    }

    public void start() {
        server.start();
        LOG.info("HTTP API on http://{}:{}/", server.getAddress().getHostString(), port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void tables(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/api/v1/tables") || path.equals("/api/v1/tables/")) {
            json(ex, 200, Map.of("tables", status.status().tables()));
            return;
        }
        String name = URLDecoder.decode(path.substring("/api/v1/tables/".length()), StandardCharsets.UTF_8);
        if (name.endsWith("/chunks")) {
            String table = name.substring(0, name.length() - "/chunks".length());
            if (status.table(table) == null) {
                json(ex, 404, Map.of("error", "no watched table named " + table));
                return;
            }
            // Every non-empty chunk's verdict and counts: the dashboard's heatmap (no row values).
            json(ex, 200, Map.of("table", table, "chunkCount", status.view().chunking().chunkCount(), "chunks", status.view().chunks(table)));
            return;
        }
        TableStatus t = status.table(name);
        if (t == null) {
            json(ex, 404, Map.of("error", "no watched table named " + name));
        } else {
            json(ex, 200, t);
        }
    }

    private void dashboard(HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/")) {
            json(ex, 404, Map.of("error", "not found: " + ex.getRequestURI().getPath()));
            return;
        }
        try (InputStream in = ApiServer.class.getResourceAsStream("/dashboard.html")) {
            send(ex, 200, "text/html; charset=utf-8", in.readAllBytes());
        }
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    /** Mutating endpoints: 403 while no token is configured, 401 without the right bearer token. Answers when refused. */
    private static final com.fasterxml.jackson.databind.ObjectMapper KEYS = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Every value of a repeated query parameter, decoded. */
    private static List<String> queryAll(HttpExchange ex, String name) {
        List<String> out = new ArrayList<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return out;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                out.add(URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Whether the request carries the API token (no answer sent either way). */
    private boolean hasToken(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        return token != null && !token.isEmpty() && auth != null
                && java.security.MessageDigest.isEqual(("Bearer " + token).getBytes(StandardCharsets.UTF_8), auth.getBytes(StandardCharsets.UTF_8));
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (token == null || token.isEmpty()) {
            json(ex, 403, Map.of("error", "mutating endpoints are off: set api.token in the config"));
            return false;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !java.security.MessageDigest.isEqual(("Bearer " + token).getBytes(StandardCharsets.UTF_8),
                auth.getBytes(StandardCharsets.UTF_8))) {
            json(ex, 401, Map.of("error", "a valid 'Authorization: Bearer <api.token>' header is required"));
            return false;
        }
        return true;
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private void route(String path, Handler handler) {
        route(path, "GET", handler);
    }

    /** Answered by every instance itself; every other path is the application's, answered by the lease holder. */
    private static final java.util.Set<String> OWN_PATHS = java.util.Set.of("/health", "/metrics", "/internal/v1/store", "/");

    private void route(String path, String method, Handler handler) {
        server.createContext(path, ex -> {
            // Not try-with-resources: the exchange must stay open until the error mapper has answered.
            try {
                if (!method.equals(ex.getRequestMethod())) {
                    json(ex, 405, Map.of("error", ex.getRequestMethod() + " not allowed on " + path));
                    return;
                }
                if (forwarder != null && !OWN_PATHS.contains(path) && !forwarder.local()) {
                    forwarder.forward(ex);
                    return;
                }
                handler.handle(ex);
            } catch (BadRequest | NumberFormatException e) {
                json(ex, 400, Map.of("error", e.getMessage()));
            } catch (InvalidStateStoreException e) {
                json(ex, 503, Map.of("error", "reconciler state not available yet: " + e.getMessage()));
            } catch (Forwarder.NoHolder e) {
                json(ex, 503, Map.of("error", e.getMessage()));
            } catch (RuntimeException | IOException e) {
                LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                json(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
            } finally {
                ex.close();
            }
        });
    }

    private static java.time.Duration duration(String s) {
        java.time.Duration d = Durations.parse(s);
        if (d == null) {
            throw new BadRequest("duration: " + s + ": must be like 500ms, 30s or 2m");
        }
        return d;
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static void json(HttpExchange ex, int code, Object body) throws IOException {
        send(ex, code, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }


    @Override
    public void close() {
        server.stop(0);
    }
}
