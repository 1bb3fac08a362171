package dev.parity.reconciler.model;

/** The two databases Parity compares. */
public enum Side {
    SOURCE,
    TARGET;

    public Side other() {
        return this == SOURCE ? TARGET : SOURCE;
    }

    /** Lower-case name, as used in topic names, JSON and metric tags. */
    public String label() {
        return this == SOURCE ? "source" : "target";
    }
}
