package dev.parity.api.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends store queries to another instance of the application over its HTTP API, with the shared token.
 * Every failure (refused, unreachable, timed out, cut short) surfaces as {@link InvalidStateStoreException}:
 * to the caller it is the same as a store not ready, and never an empty answer. Bounded: 2 s to connect,
 * {@link #READ_TIMEOUT_MS} between two reads of an answer.
 */
final class PeerClient {
    static final int READ_TIMEOUT_MS = 15_000;

    private final String token;
    private final javax.net.ssl.SSLContext tls;

    PeerClient(String token, javax.net.ssl.SSLContext tls) {
        this.token = token;
        this.tls = tls;
    }

    /** An open answer: read its entries with {@link StoreWire#next}, then close. */
    record Answer(HostInfo host, HttpURLConnection connection, DataInputStream in) implements AutoCloseable {
        byte[][] next() {
            try {
                return StoreWire.next(in);
            } catch (IOException e) {
                throw failed(host, "its answer was cut short (" + e.getMessage() + ")", e);
            }
        }

        long count() {
            try {
                return in.readLong();
            } catch (IOException e) {
                throw failed(host, "its answer was cut short (" + e.getMessage() + ")", e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                connection.disconnect();
            }
        }
    }

    Answer send(HostInfo host, StoreWire.Request request) {
        HttpURLConnection c = null;
        try {
            c = Peers.open(host, "/internal/v1/store", tls);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setReadTimeout(READ_TIMEOUT_MS);
            c.setRequestProperty("Content-Type", "application/octet-stream");
            c.setRequestProperty("Authorization", "Bearer " + token);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(c.getOutputStream()))) {
                request.write(out);
            }
            int code = c.getResponseCode();
            if (code != 200) {
                String why;
                try (InputStream err = c.getErrorStream()) {
                    why = err == null ? "" : new String(err.readNBytes(2_000), StandardCharsets.UTF_8);
                }
                throw failed(host, "answered HTTP " + code + (why.isBlank() ? "" : ": " + why)
                        + (code == 401 || code == 403 ? " (every instance needs the same api.token)" : ""), null);
            }
            return new Answer(host, c, new DataInputStream(new BufferedInputStream(c.getInputStream(), 64 * 1024)));
        } catch (IOException e) {
            if (c != null) {
                c.disconnect();
            }
            throw failed(host, "could not be asked (" + e.getMessage() + ")", e);
        }
    }

    private static InvalidStateStoreException failed(HostInfo host, String what, Throwable cause) {
        InvalidStateStoreException e = new InvalidStateStoreException("instance " + host.host() + ":" + host.port() + " " + what);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
