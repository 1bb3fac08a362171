package dev.parity.ingest.jdbc;

/** A database could not be used as Parity needs; the message says which side, where, and what to do. */
public class DatabaseException extends RuntimeException {
    public DatabaseException(String message) {
        super(message);
    }

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
