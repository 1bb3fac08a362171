package dev.parity.ingest.schema;

/** Engine-neutral kinds of column, mirroring the canonical value each becomes (README, "Types across engines"). */
public enum TypeFamily {
    BOOLEAN, INTEGER, DECIMAL, FLOAT32, FLOAT64, STRING, CHAR, TEXT, BINARY, DATE, TIME, DATETIME, TIMESTAMP, JSON, UUID, BITS, GEOMETRY, OTHER
}
