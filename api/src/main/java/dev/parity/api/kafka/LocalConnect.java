package dev.parity.api.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;

/**
 * A Kafka Connect worker in distributed mode inside this process, its REST API on a free port: the Connect
 * cluster of {@code parity bench --instances} and of the tests of {@code capture.mode: connect}. Passwords reach
 * it as {@code ${env:…}} references ({@code config.providers=env}), as {@code parity connect-config} prints them.
 */
public final class LocalConnect implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Connect<?> connect;

    private LocalConnect(Connect<?> connect) {
        this.connect = connect;
    }

    public static LocalConnect start(String bootstrap, String groupId) {
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", groupId);
        props.put("config.storage.topic", groupId + "-configs");
        props.put("offset.storage.topic", groupId + "-offsets");
        props.put("status.storage.topic", groupId + "-status");
        props.put("config.storage.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("listeners", "http://127.0.0.1:0");
        props.put("offset.flush.interval.ms", "1000");
        props.put("config.providers", "env");
        props.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        return new LocalConnect(new ConnectDistributed().startConnect(props));
    }

    public URI url() {
        return connect.rest().advertisedUrl();
    }

    /** POSTs a connector (as {@code parity connect-config} prints it) and waits, up to a minute each, until it is accepted and its task runs. */
    public void post(JsonNode connector) throws Exception {
        HttpRequest create = HttpRequest.newBuilder(url().resolve("/connectors")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(connector.toString())).build();
        String name = connector.path("name").asText();
        HttpRequest status = HttpRequest.newBuilder(url().resolve("/connectors/" + name + "/status")).GET().build();
        String last = poll(() -> {
            HttpResponse<String> r = HTTP.send(create, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 201 || r.statusCode() == 409 ? null : r.statusCode() + " " + r.body();
        });
        if (last != null) {
            throw new IllegalStateException("Kafka Connect did not accept " + name + ": " + last);
        }
        last = poll(() -> {
            String body = HTTP.send(status, HttpResponse.BodyHandlers.ofString()).body();
            return body.contains("\"tasks\":[{\"id\":0,\"state\":\"RUNNING\"") ? null : body;
        });
        if (last != null) {
            throw new IllegalStateException("the task of " + name + " did not run: " + last);
        }
    }

    /** Removes a connector (its slot and publication stay: {@code parity cleanup} removes those). */
    public void delete(String name) throws Exception {
        HTTP.send(HttpRequest.newBuilder(url().resolve("/connectors/" + name)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    @FunctionalInterface
    private interface Attempt {
        /** Null when done, else what was seen. */
        String run() throws Exception;
    }

    /** Every 200 ms for up to a minute (a failed request counts as not yet); null once done, else the last thing seen. */
    private static String poll(Attempt attempt) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                last = attempt.run();
                if (last == null) {
                    return null;
                }
            } catch (Exception e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        return last;
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
