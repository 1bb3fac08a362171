package dev.parity.api.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.parity.api.config.Durations;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reading a request's parameters and writing an answer, for the API's handlers; bad input is a {@link BadRequest} (400). */
final class HttpIo {
    private static final ObjectMapper JSON = dev.parity.api.status.Json.MAPPER;
    private static final ObjectMapper KEYS = new ObjectMapper();

    private HttpIo() {
    }

    /** The caller's mistake: answered 400 with the message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    /** The query's parameters, decoded; the last of a repeated one. A malformed escape ({@code %zz}) is a {@link BadRequest}. */
    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
                }
            }
        }
        return out;
    }

    /** Every value of a repeated query parameter, decoded. */
    static List<String> queryAll(HttpExchange ex, String name) {
        List<String> out = new ArrayList<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return out;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && decode(part.substring(0, eq)).equals(name)) {
                out.add(decode(part.substring(eq + 1)));
            }
        }
        return out;
    }

    static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("malformed percent-encoding in the request: " + e.getMessage());
        }
    }

    static java.time.Duration duration(String s) {
        java.time.Duration d = Durations.parse(s);
        if (d == null) {
            throw new BadRequest("duration: " + s + ": must be like 500ms, 30s or 2m");
        }
        return d;
    }

    /** A row key given as JSON ({@code {"id": 42}}). */
    static Map<String, Object> key(String json) {
        try {
            Map<String, Object> key = KEYS.readValue(json, new TypeReference<Map<String, Object>>() { });
            if (key == null) {
                throw new IOException("null");
            }
            return key;
        } catch (IOException e) {
            throw new BadRequest("key: " + json + ": must be a JSON object of primary-key column to value, such as {\"id\": 42}");
        }
    }

    static void json(HttpExchange ex, int code, Object body) throws IOException {
        send(ex, code, "application/json", JSON.writeValueAsBytes(body));
    }

    static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
