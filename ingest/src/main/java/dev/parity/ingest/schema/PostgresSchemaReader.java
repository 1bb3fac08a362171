package dev.parity.ingest.schema;

/** PostgreSQL's {@code information_schema}, with {@code pg_index} for unique indexes. */
public final class PostgresSchemaReader extends SchemaReader {
    @Override
    protected String columnsSql(int n) {
        return "SELECT c.table_schema || '.' || c.table_name, c.column_name, c.data_type, c.character_maximum_length, c.numeric_precision,"
                + " c.numeric_scale, c.datetime_precision, c.is_nullable, c.column_default, c.udt_name, CAST(NULL AS text)"
                + " FROM information_schema.columns c WHERE c.table_schema || '.' || c.table_name IN (" + in(n) + ")"
                + " ORDER BY 1, c.ordinal_position";
    }

    @Override
    protected String keysSql(int n) {
        return "SELECT ns.nspname || '.' || t.relname, i.relname, ix.indisprimary, a.attname"
                + " FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid"
                + " JOIN pg_namespace ns ON ns.oid = t.relnamespace"
                + " JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
                + " WHERE ix.indisunique AND ns.nspname || '.' || t.relname IN (" + in(n) + ") ORDER BY 1, 2, k.ord";
    }

    @Override
    protected String foreignKeysSql(int n) {
        return "SELECT ns.nspname || '.' || t.relname, con.conname, a.attname, rns.nspname || '.' || rt.relname, ra.attname"
                + " FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace"
                + " JOIN pg_class rt ON rt.oid = con.confrelid JOIN pg_namespace rns ON rns.oid = rt.relnamespace"
                + " JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(att, ratt, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.att JOIN pg_attribute ra ON ra.attrelid = rt.oid AND ra.attnum = k.ratt"
                + " WHERE con.contype = 'f' AND ns.nspname || '.' || t.relname IN (" + in(n) + ") ORDER BY 1, 2, k.ord";
    }

    @Override
    protected TypeFamily family(String dataType, String udt) {
        return switch (dataType) {
            case "boolean" -> TypeFamily.BOOLEAN;
            case "smallint", "integer", "bigint" -> TypeFamily.INTEGER;
            case "numeric" -> TypeFamily.DECIMAL;
            case "real" -> TypeFamily.FLOAT32;
            case "double precision" -> TypeFamily.FLOAT64;
            case "character varying" -> TypeFamily.STRING;
            case "character" -> TypeFamily.CHAR;
            case "text" -> TypeFamily.TEXT;
            case "bytea" -> TypeFamily.BINARY;
            case "date" -> TypeFamily.DATE;
            case "time without time zone" -> TypeFamily.TIME;
            case "timestamp without time zone" -> TypeFamily.DATETIME;
            case "timestamp with time zone" -> TypeFamily.TIMESTAMP;
            case "json", "jsonb" -> TypeFamily.JSON;
            case "uuid" -> TypeFamily.UUID;
            case "bit", "bit varying" -> TypeFamily.BITS;
            case "point" -> TypeFamily.GEOMETRY;
            case "user-defined" -> TypeFamily.STRING; // enum types arrive as strings
            default -> TypeFamily.OTHER;
        };
    }

    @Override
    protected String nativeType(String dataType, String udt, Long length, Integer precision, Integer scale, Integer fsp) {
        return switch (dataType) {
            case "character varying" -> length == null ? "varchar" : "varchar(" + length + ")";
            case "character" -> "char(" + length + ")";
            case "numeric" -> precision == null ? "numeric" : "numeric(" + precision + "," + scale + ")";
            case "time without time zone" -> "time(" + fsp + ")";
            case "timestamp without time zone" -> "timestamp(" + fsp + ")";
            case "timestamp with time zone" -> "timestamptz(" + fsp + ")";
            case "user-defined" -> udt;
            case "array" -> udt; // the element type: _int4, _text...
            default -> dataType;
        };
    }

}
