package dev.parity.ingest;

/** What a failure says, for status lines and logs. */
public final class Errors {
    private Errors() {
    }

    /** The innermost cause's message (or its type when it has none): the part a user can act on. */
    public static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
