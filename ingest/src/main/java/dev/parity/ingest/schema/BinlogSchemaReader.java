package dev.parity.ingest.schema;

/** MySQL's and MariaDB's {@code information_schema}; {@code COLUMN_TYPE} carries unsigned, display widths and enum values. */
public final class BinlogSchemaReader extends SchemaReader {
    @Override
    protected String columnsSql(int n) {
        return "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,"
                + " NUMERIC_SCALE, DATETIME_PRECISION, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS"
                + " WHERE CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) IN (" + in(n) + ") ORDER BY 1, ORDINAL_POSITION";
    }

    @Override
    protected String keysSql(int n) {
        return "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), INDEX_NAME, INDEX_NAME = 'PRIMARY', COLUMN_NAME FROM information_schema.STATISTICS"
                + " WHERE NON_UNIQUE = 0 AND CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) IN (" + in(n) + ") ORDER BY 1, 2, SEQ_IN_INDEX";
    }

    @Override
    protected String foreignKeysSql(int n) {
        return "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), CONSTRAINT_NAME, COLUMN_NAME, CONCAT(REFERENCED_TABLE_SCHEMA, '.', REFERENCED_TABLE_NAME),"
                + " REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_NAME IS NOT NULL"
                + " AND CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) IN (" + in(n) + ") ORDER BY 1, 2, ORDINAL_POSITION";
    }

    @Override
    protected TypeFamily family(String dataType, String full) {
        if (full.startsWith("tinyint(1)")) {
            return TypeFamily.BOOLEAN;
        }
        return switch (dataType) {
            case "tinyint", "smallint", "mediumint", "int", "bigint", "year" -> TypeFamily.INTEGER;
            case "decimal" -> TypeFamily.DECIMAL;
            case "float" -> TypeFamily.FLOAT32;
            case "double" -> TypeFamily.FLOAT64;
            case "varchar", "enum", "set" -> TypeFamily.STRING;
            case "char" -> TypeFamily.CHAR;
            case "tinytext", "text", "mediumtext", "longtext" -> TypeFamily.TEXT;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> TypeFamily.BINARY;
            case "date" -> TypeFamily.DATE;
            case "time" -> TypeFamily.TIME;
            case "datetime" -> TypeFamily.DATETIME;
            case "timestamp" -> TypeFamily.TIMESTAMP;
            case "json" -> TypeFamily.JSON;
            case "uuid" -> TypeFamily.UUID;
            case "bit" -> TypeFamily.BITS;
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection",
                 "geomcollection" -> TypeFamily.GEOMETRY;
            default -> TypeFamily.OTHER;
        };
    }

    @Override
    protected String nativeType(String dataType, String full, Long length, Integer precision, Integer scale, Integer fsp) {
        return full;
    }
}
