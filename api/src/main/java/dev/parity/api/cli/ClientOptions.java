package dev.parity.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.api.app.Parity;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/** What client commands share: where the running Parity's API is. */
final class ClientOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Parity API base URL (default: ${DEFAULT-VALUE})")
    String url;

    /** POSTs with the bearer token; returns status code and body. */
    Response post(String path, String token, Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.replaceAll("/$", "") + path)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), JSON.readTree(r.body()));
        } catch (ConnectException e) {
            throw new ConnectException("couldn't connect to Parity at " + url + " (is 'parity run' or 'parity demo' running?)");
        }
    }

    record Response(int status, JsonNode body) {
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return get(path, null);
    }

    /** GETs, with the bearer token when given (responses carrying row values need it). */
    JsonNode get(String path, String token) throws IOException, InterruptedException {
        return JSON.readTree(getText(path, token));
    }

    /** GETs a body as text, with the bearer token when given. */
    String getText(String path, String token) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.replaceAll("/$", "") + path)).timeout(Duration.ofSeconds(30));
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ConnectException("couldn't connect to Parity at " + url + " (is 'parity run' or 'parity demo' running?)");
        }
        if (r.statusCode() >= 400) {
            throw new IOException("Parity at " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String pretty(JsonNode n) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    }
}
