package dev.parity.ingest.jdbc;

import dev.parity.reconciler.model.Side;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * One side's database connection settings. {@link #toString()} and every error name the side and the
 * URL with any password removed; the password itself never leaves this object except to the driver.
 */
public final class Endpoint {
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)((?:password|pass|pwd|sslpassword)=)[^&;]*");

    private final Side side;
    private final String url;
    private final String user;
    private final String password;

    public Endpoint(Side side, String url, String user, String password) {
        this.side = Objects.requireNonNull(side, "side");
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
    }

    public Side side() {
        return side;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    /** For the capture engine's configuration only. */
    public String password() {
        return password;
    }

    public String redactedUrl() {
        return redact(url);
    }

    public static String redact(String url) {
        return SECRET_PARAM.matcher(url.replaceAll("//[^/@]*:[^/@]*@", "//***@")).replaceAll("$1***");
    }

    /** Host, port and database of a {@code jdbc:engine://host:port/db} URL. */
    public Location location(int defaultPort) {
        URI uri = URI.create(url.substring("jdbc:".length()));
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(side.label() + ".url: " + redactedUrl() + ": no host");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        return new Location(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort(), path);
    }

    public record Location(String host, int port, String database) {
    }

    /** The URL's query parameters ({@code ?sslmode=verify-full&sslrootcert=/ca.pem}), decoded, in their order. */
    public java.util.Map<String, String> urlParameters() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(java.net.URLDecoder.decode(key, java.nio.charset.StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    public Connection connect() {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        // 10 s to connect, and no read waits more than 60 s for the server (a cut or black-holed network must
        // not hang a heartbeat, a sweep page or a drill-down: README, "When things fail"). PostgreSQL's driver
        // counts these in seconds, MariaDB's and MySQL's in milliseconds. A setting in the URL wins.
        boolean pg = url.startsWith("jdbc:postgresql:");
        java.util.Map<String, String> inUrl = urlParameters();
        setUnlessInUrl(p, inUrl, "connectTimeout", pg ? "10" : "10000");
        setUnlessInUrl(p, inUrl, "socketTimeout", pg ? String.valueOf(READ_TIMEOUT_SECONDS) : String.valueOf(READ_TIMEOUT_SECONDS * 1000));
        setUnlessInUrl(p, inUrl, "tcpKeepAlive", "true");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw new DatabaseException("cannot connect to the " + side.label() + " database at " + redactedUrl() + ": " + e.getMessage()
                    + tlsHint(e.getMessage()), e);
        }
    }

    /** What a TLS failure the driver words for Java's internals means for whoever set up the URL. */
    static String tlsHint(String message) {
        if (message == null) {
            return "";
        }
        if (message.contains("PKIX path")) {
            return " (the server's certificate is not signed by a CA the client trusts: the URL's sslrootcert, or the JVM's trust store)";
        }
        if (message.contains("Public Key Retrieval is not allowed")) {
            return " (the user logs in with caching_sha2_password, MySQL 8's default, over a connection without TLS, where the"
                    + " password may only travel encrypted with the server's RSA key: use TLS (sslMode=REQUIRED or VERIFY_IDENTITY in"
                    + " the URL), or add allowPublicKeyRetrieval=true to the URL to let the driver fetch the key from the server)";
        }
        if (message.contains("hostname") && message.contains("SSL")) {
            return " (the server's certificate does not name the host of the URL)";
        }
        return "";
    }

    /** Seconds a read may wait for the server before the connection is given up. */
    public static final int READ_TIMEOUT_SECONDS = 60;

    private static void setUnlessInUrl(Properties p, java.util.Map<String, String> inUrl, String key, String value) {
        if (!inUrl.containsKey(key)) {
            p.setProperty(key, value);
        }
    }

    @Override
    public String toString() {
        return side.label() + " " + redactedUrl();
    }
}
