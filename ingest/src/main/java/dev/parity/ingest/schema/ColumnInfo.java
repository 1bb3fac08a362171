package dev.parity.ingest.schema;

/**
 * One column as introspected, with its engine-neutral type family so that columns compare across engines.
 *
 * @param name     lower-case, as the canonical row names it
 * @param length   characters or bytes for strings and binaries; null when unbounded or not applicable
 * @param precision digits for decimals, bits of magnitude for integers, fractional-second digits for times
 * @param collation how a string column compares and orders (MySQL/MariaDB {@code COLLATION_NAME}); null when not
 *                  a string or not known (PostgreSQL: the database default may be libc or ICU, so it is not relied on)
 */
public record ColumnInfo(String name, String nativeType, TypeFamily family, Long length, Integer precision, Integer scale,
                         boolean nullable, String defaultValue, String collation) {
    public ColumnInfo(String name, String nativeType, TypeFamily family, Long length, Integer precision, Integer scale,
                      boolean nullable, String defaultValue) {
        this(name, nativeType, family, length, precision, scale, nullable, defaultValue, null);
    }

    /** How the column reads in a diff: {@code note varchar(200) NOT NULL DEFAULT 'x'}. */
    public String describe() {
        return name + " " + nativeType + (nullable ? " NULL" : " NOT NULL") + (defaultValue == null ? "" : " DEFAULT " + defaultValue);
    }
}
