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

    public Connection connect() {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        // 10 s to connect: PostgreSQL's driver counts this setting in seconds, MariaDB's and MySQL's in milliseconds.
        p.setProperty("connectTimeout", url.startsWith("jdbc:postgresql:") ? "10" : "10000");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw new DatabaseException("cannot connect to the " + side.label() + " database at " + redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return side.label() + " " + redactedUrl();
    }
}
