package dev.parity.ingest.engine;

import java.util.Locale;

/** The database engines Parity captures. */
public enum Engine {
    POSTGRESQL("jdbc:postgresql:", 5432),
    MYSQL("jdbc:mysql:", 3306),
    MARIADB("jdbc:mariadb:", 3306);

    private final String urlPrefix;
    private final int defaultPort;

    Engine(String urlPrefix, int defaultPort) {
        this.urlPrefix = urlPrefix;
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The engine a JDBC URL names; null when it names none Parity knows. */
    public static Engine fromUrl(String url) {
        for (Engine e : values()) {
            if (url != null && url.startsWith(e.urlPrefix)) {
                return e;
            }
        }
        return null;
    }

    /** From a config value such as {@code mariadb}; null when unknown. */
    public static Engine fromName(String name) {
        try {
            return name == null ? null : valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public boolean isBinlog() {
        return this != POSTGRESQL;
    }
}
