package dev.parity.api.cluster;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.util.List;
import org.apache.kafka.streams.state.HostInfo;

/**
 * One API, any instance (README, "Deployment"): an instance that does not hold the capture lease passes an API
 * request on to the one that does, which answers for the whole application (its status, captures and gate,
 * the stores of every instance). The caller's token travels with the request; the answer comes back as given,
 * marked with the instance that gave it.
 */
public final class Forwarder {
    /** Header naming the instance that answered. */
    public static final String ANSWERED_BY = "X-Parity-Answered-By";
    private static final List<String> PASSED_HEADERS = List.of("Authorization", "Content-Type", "Accept");

    private final Lease lease;
    private final HostInfo self;
    private final javax.net.ssl.SSLContext tls;

    /** @param tls the API's TLS context (peers share it); null for plain HTTP */
    public Forwarder(Lease lease, HostInfo self, javax.net.ssl.SSLContext tls) {
        this.lease = lease;
        this.self = self;
        this.tls = tls;
    }

    /** Whether this instance answers itself: it holds the lease. */
    public boolean local() {
        return lease.held();
    }

    public String self() {
        return self.host() + ":" + self.port();
    }

    /** An answer from the lease holder. */
    public record Answer(int code, String type, byte[] body, String by) {
    }

    /** Passes the request to the lease holder and its answer back, marked with who answered. */
    public void forward(HttpExchange ex) throws IOException {
        Answer a = ask(ex);
        ex.getResponseHeaders().set("Content-Type", a.type());
        ex.getResponseHeaders().set(ANSWERED_BY, a.by());
        ex.sendResponseHeaders(a.code(), a.body().length == 0 ? -1 : a.body().length);
        if (a.body().length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(a.body());
            }
        }
    }

    /**
     * The lease holder's answer to the request. Throws {@link NoHolder} while no instance holds the lease
     * (failing over), or the holder cannot be reached: nothing is answered in its place.
     */
    public Answer ask(HttpExchange ex) {
        HostInfo to = lease.holder();
        if (to == null || to.equals(self)) {
            throw new NoHolder("no instance holds the capture lease at the moment (failing over, or the instances are starting); ask again shortly");
        }
        try {
            HttpURLConnection c = Peers.open(to, ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()), tls);
            c.setRequestMethod(ex.getRequestMethod());
            c.setReadTimeout(10 * 60_000); // the readiness gate waits up to its own timeout
            for (String h : PASSED_HEADERS) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    c.setRequestProperty(h, v);
                }
            }
            if ("POST".equals(ex.getRequestMethod())) {
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream(); InputStream in = ex.getRequestBody()) {
                    in.transferTo(out);
                }
            }
            int code = c.getResponseCode();
            byte[] bytes;
            try (InputStream body = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
                bytes = body == null ? new byte[0] : body.readAllBytes();
            }
            String type = c.getContentType();
            return new Answer(code, type == null ? "application/json" : type, bytes, to.host() + ":" + to.port());
        } catch (IOException e) {
            throw new NoHolder("the instance holding the capture lease (" + to.host() + ":" + to.port() + ") could not be reached: " + e.getMessage());
        }
    }

    /** No instance can answer for the application now. */
    public static final class NoHolder extends RuntimeException {
        public NoHolder(String message) {
            super(message);
        }
    }
}
