package dev.parity.api.http;

import static dev.parity.api.http.HttpIo.duration;
import static dev.parity.api.http.HttpIo.json;
import static dev.parity.api.http.HttpIo.query;
import static dev.parity.api.http.HttpIo.queryAll;
import static dev.parity.api.http.HttpIo.send;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.http.HttpIo.BadRequest;
import dev.parity.api.cluster.Forwarder;
import dev.parity.api.cluster.StoreEndpoint;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API (JSON), Prometheus metrics and the dashboard. Bound to 127.0.0.1 unless the config
 * says otherwise. One mapper turns failures into a status code and a JSON body.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private static final int MAX_CONNECTIONS = 256;

    static {
        // Bounds for the JDK's HTTP server, read once when it first starts (a -D on the command line wins): at most
        // 100 request headers of 64 KB in all (more is refused and the connection closed), 30 s to send a request
        // (a slow sender cannot hold a connection), 256 connections at once (README, "Security").
        Map.of("sun.net.httpserver.maxReqHeaders", "100", "sun.net.httpserver.maxReqHeaderSize", "65536",
                "sun.net.httpserver.maxReqTime", "30", "sun.net.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS))
                .forEach((k, v) -> {
                    if (System.getProperty(k) == null) {
                        System.setProperty(k, v);
                    }
                });
    }

    private final HttpServer server;
    private final StatusService status;
    private final ParityMetrics metrics;
    private final String token;
    private final ParityConfig.Api config;
    private final StoreEndpoint stores;
    /** Null for a single instance; otherwise passes requests to the instance holding the capture lease. */
    private final Forwarder forwarder;

    /**
     * @param stores    answers other instances' store queries
     * @param forwarder null for a single instance
     */
    public ApiServer(ParityConfig.Api config, StatusService status, LagHistory history, ParityMetrics metrics,
                     ReadinessGate gate, StoreEndpoint stores, Forwarder forwarder, java.time.Duration lagThreshold) throws IOException {
        this.status = status;
        this.forwarder = forwarder;
        this.stores = stores;
        this.token = config.token();
        this.metrics = metrics;
        this.config = config;
        this.server = listen(config);
        // The JDK server reads a request's headers on this pool: a fixed few threads would let a handful of half-sent
        // requests stall the API until maxReqTime. Threads grow with connections (capped at maxConnections) and go when idle.
        server.setExecutor(new java.util.concurrent.ThreadPoolExecutor(2, MAX_CONNECTIONS + 8, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
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
            Map<String, Object> key = HttpIo.key(q.get("key"));
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
                keys.add(HttpIo.key(k));
            }
            dev.parity.ingest.repair.RepairScript.Via via;
            try {
                via = dev.parity.ingest.repair.RepairScript.Via.parse(query(ex).get("via"));
            } catch (IllegalArgumentException e) {
                throw new BadRequest(e.getMessage());
            }
            try {
                var r = status.repair(table, keys, via);
                if (r == null) {
                    json(ex, 404, Map.of("error", "no watched table named " + table));
                    return;
                }
                send(ex, 200, "application/sql; charset=utf-8", r.sql().getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                json(ex, 409, Map.of("error", e.getMessage()));
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

    /** HTTP, or HTTPS with {@code api.tls}; the JDK's server, bounded against slow and oversized requests (see the static block). */
    private static HttpServer listen(ParityConfig.Api config) throws IOException {
        InetSocketAddress at = new InetSocketAddress(config.bind(), config.port());
        if (config.tls() == null) {
            return HttpServer.create(at, 0);
        }
        HttpsServer https = HttpsServer.create(at, 0);
        try {
            https.setHttpsConfigurator(new HttpsConfigurator(ApiTls.context(config.tls())));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("api.tls: " + e.getMessage(), e);
        }
        return https;
    }

    public void start() {
        server.start();
        LOG.info("HTTP API on {}://{}:{}/", config.scheme(), server.getAddress().getHostString(), port());
        exposure(config).forEach(LOG::warn);
    }

    /**
     * What an operator should hear about where the API listens (README, "Security"): reachable beyond this machine
     * without a token, anyone who reaches it may read table names, counts and verdicts (never row values); with a
     * token but without TLS, the token and row values travel in clear.
     */
    static List<String> exposure(ParityConfig.Api config) {
        boolean loopback;
        try {
            loopback = java.net.InetAddress.getByName(config.bind()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            loopback = false;
        }
        if (loopback) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (config.token() == null || config.token().isEmpty()) {
            out.add("the API listens on " + config.bind() + " without api.token: anyone who can reach it reads status, verdicts and"
                    + " metrics (row values and every action stay refused); set api.token, or api.bind: 127.0.0.1");
        } else if (config.tls() == null) {
            out.add("the API listens on " + config.bind() + " over plain HTTP: the token and the row values it unlocks travel in clear;"
                    + " set api.tls (README, \"Security\") or keep it behind a TLS proxy");
        }
        return out;
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
        String name = HttpIo.decode(path.substring("/api/v1/tables/".length()));
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
            json(ex, 404, Map.of("error", "not found"));
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

    private void route(String path, Handler handler) {
        route(path, "GET", handler);
    }

    /** Answered by every instance itself; every other path is the application's, answered by the lease holder. */
    private static final java.util.Set<String> OWN_PATHS = java.util.Set.of("/health", "/metrics", "/internal/v1/store", "/");

    private void route(String path, String method, Handler handler) {
        server.createContext(path, ex -> {
            // Not try-with-resources: the exchange must stay open until the error mapper has answered.
            try {
                // A context matches every path it prefixes ("/api/v1/status/../x" would reach the status handler):
                // only the exact path is answered, save the tables' sub-resources and the dashboard (which checks its own).
                String asked = ex.getRequestURI().getPath();
                if (!asked.equals(path) && !path.equals("/") && !(path.equals("/api/v1/tables") && asked.startsWith("/api/v1/tables/"))) {
                    json(ex, 404, Map.of("error", "not found"));
                    return;
                }
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
                json(ex, 400, Map.of("error", String.valueOf(e.getMessage())));
            } catch (InvalidStateStoreException e) {
                json(ex, 503, Map.of("error", "reconciler state not available yet: " + e.getMessage()));
            } catch (Forwarder.NoHolder e) {
                json(ex, 503, Map.of("error", e.getMessage()));
            } catch (RuntimeException | IOException e) {
                // The details go to parity.log; the caller learns only that it failed (no stack trace, no internals).
                LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
                json(ex, 500, Map.of("error", "internal error answering " + path + " (" + e.getClass().getSimpleName() + "); see parity.log"));
            } finally {
                ex.close();
            }
        });
    }


    @Override
    public void close() {
        server.stop(0);
    }
}
