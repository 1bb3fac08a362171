package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigException;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.PostgresPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API given bad input (README, "Security"): unknown paths, path traversal, malformed parameters and JSON,
 * wrong methods, huge bodies and headers, garbage and half-sent requests. Every answer is a 4xx with a short JSON
 * error (never a 5xx, a stack trace, the token, or a file other than the dashboard) or a closed connection, and the
 * API keeps answering. Then the same API over HTTPS ({@code api.tls}).
 */
class ApiHardeningIT {
    private static final String TOKEN = "hardening-token-0123456789";
    private static PostgresPair pg;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("parity-hardening");
        pg = PostgresPair.start();
        pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, v TEXT)", "CREATE TABLE parity_heartbeat (id INT PRIMARY KEY, seq BIGINT NOT NULL,"
                + " written_at_us BIGINT NOT NULL, fence_id VARCHAR(64))");
        pg.onSource("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 50) g");
        pg.replicate("hard");
        ParityProbe.awaitRows(pg::target, "items", 50);
    }

    @AfterAll
    static void stop() throws Exception {
        ParityProbe.closeAll(pg);
    }

    private static String config(String name, String extra) {
        return String.format("""
                name: %s
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["public.items"]}
                api: {port: 0, token: "%s"%s}
                state: {dir: "%s"}
                """, name, pg.sourceUrl(), pg.targetUrl(), TOKEN, extra, dir.resolve(name));
    }

    @Test
    void shouldAnswerBadRequestsWithA4xxAndKeepAnswering() throws Exception {
        try (Parity p = Parity.start(ConfigLoader.parse(config("hard", ""), "t", Map.of()))) {
            int port = p.port();
            List<String> asked = new ArrayList<>();
            // Unknown paths and traversal: only the exact paths answer; nothing from the file system.
            for (String path : List.of("/nope", "/api/v1/nope", "/api/v2/status", "/api/v1/statusx", "/api/v1/status/../../etc/passwd",
                    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "/dashboard.html",
                    "/api/v1/tables/..%2F..%2F..%2Fetc%2Fpasswd", "//etc/passwd", "/%00", "/api/v1/tables/%zz", "/metrics/../../etc/passwd",
                    "/api/v1/divergences?limit=%zz")) {
                Raw r = raw(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nConnection: close\r\n\r\n");
                assertThat(r.code()).as(path + " → " + r).isBetween(400, 499);
                assertThat(r.body()).as(path).doesNotContain("root:", "<html", "\tat ", "dev.parity");
                asked.add(path);
            }
            // Malformed parameters and JSON.
            for (String path : List.of("/api/v1/divergences?limit=abc", "/api/v1/divergences?limit=-1",
                    "/api/v1/diff?table=public.items&key=%7Bbad", "/api/v1/diff?table=public.items&key=null", "/api/v1/diff?table=public.items",
                    "/api/v1/diff?table=public.items&key=%5B1%2C2%5D", "/api/v1/repair?table=public.items&key=%7B%22id%22%3A", "/api/v1/tables/no.such")) {
                Raw r = raw(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nConnection: close\r\n\r\n");
                assertThat(r.code()).as(path + " → " + r).isBetween(400, 499);
                assertThat(r.body()).as(path).startsWith("{\"error\":");
            }
            assertThat(raw(port, "POST /api/v1/readiness?timeout=soon HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").code()).isEqualTo(400);
            // Wrong methods.
            assertThat(raw(port, "DELETE /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").code()).isEqualTo(405);
            assertThat(raw(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").code()).isEqualTo(405);
            assertThat(raw(port, "GET /api/v1/readiness HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").code()).isEqualTo(405);
            // A huge body (20 MB), with and without the token: never read into memory, answered, the server unharmed.
            byte[] huge = new byte[20 * 1024 * 1024];
            Raw noToken = raw(port, "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: " + huge.length + "\r\nConnection: close\r\n\r\n", huge);
            assertThat(noToken.code()).as(noToken.toString()).isIn(401, 0);
            Raw withToken = raw(port, "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: "
                    + huge.length + "\r\nConnection: close\r\n\r\n", huge);
            assertThat(withToken.code()).as(withToken.toString()).isIn(202, 409, 503, 0);
            // Huge headers, too many headers, a garbage request line: refused (4xx) or the connection closed.
            Raw bigHeader = raw(port, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(1024 * 1024) + "\r\n\r\n");
            assertThat(bigHeader.code()).as(bigHeader.toString()).isIn(0, 400, 413, 431);
            StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 500; i++) {
                many.append("X-H").append(i).append(": v\r\n");
            }
            Raw manyHeaders = raw(port, many.append("\r\n").toString());
            assertThat(manyHeaders.code()).as(manyHeaders.toString()).isIn(0, 400, 413, 431);
            Raw garbage = raw(port, "HELLO THERE\r\n\r\n");
            assertThat(garbage.code()).as(garbage.toString()).isIn(0, 400, 405, 505);
            // Half-sent requests hold no handler thread: the API answers beside them.
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            try {
                Raw health = raw(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(health.code()).isEqualTo(200);
                Raw status = raw(port, "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(status.code()).isEqualTo(200);
                assertThat(status.body()).doesNotContain(TOKEN);
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            assertThat(asked).hasSize(15);
        }
    }

    @Test
    void shouldServeTheApiOverHttpsWithTheConfiguredKeystore() throws Exception {
        Path keystore = dir.resolve("api.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "parity",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit-ks").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

        Throwable wrong = catchThrowable(() -> ConfigLoader.parse(config("tlsbad", ", tls: {keystore: \"" + keystore + "\", password: nope-wrong}"),
                "t", Map.of()));
        assertThat(wrong).isInstanceOf(ConfigException.class).hasMessageContaining("api.tls.keystore: " + keystore + ": cannot be loaded with api.tls.password")
                .hasMessageNotContaining("nope-wrong");

        try (Parity p = Parity.start(ConfigLoader.parse(config("tls", ", tls: {keystore: \"" + keystore + "\", password: \"${KS_PW}\"}"), "t",
                Map.of("KS_PW", "changeit-ks")))) {
            assertThat(p.url()).startsWith("https://");
            KeyStore trusted = KeyStore.getInstance(keystore.toFile(), "changeit-ks".toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> status = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + p.port() + "/api/v1/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"tables\"");
            HttpResponse<String> verify = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + p.port() + "/api/v1/verify"))
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(verify.statusCode()).isIn(202, 409, 503);
            // Plain HTTP on the HTTPS port gets no answer of the API's.
            Raw plain = raw(p.port(), "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(plain.code()).isNotEqualTo(200);
            assertThat(plain.body()).doesNotContain("\"tables\"");
        }
    }

    /** An answer read off a raw socket: the status code (0 when the server closed without one) and the body. */
    record Raw(int code, String body) {
    }

    private static Raw raw(int port, String request) throws IOException {
        return raw(port, request, new byte[0]);
    }

    private static Raw raw(int port, String head, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before taking all of it
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                InputStream in = s.getInputStream();
                in.transferTo(got);
            } catch (IOException e) {
                // reset after answering: what arrived is the answer
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                return new Raw(0, text);
            }
            int code = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            return new Raw(code, split < 0 ? "" : text.substring(split + 4));
        }
    }
}
