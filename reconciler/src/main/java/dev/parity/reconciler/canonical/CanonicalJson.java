package dev.parity.reconciler.canonical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Canonical JSON: object keys sorted, no insignificant white space, numbers as exact decimals with
 * trailing zeros stripped (PostgreSQL {@code jsonb} keeps {@code 1.50}, MySQL {@code JSON} prints
 * {@code 1.5}; both mean the same number). A duplicate key keeps its last value, as {@code jsonb} does.
 */
public final class CanonicalJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private CanonicalJson() {
    }

    public static String canonicalize(String document) {
        try (JsonParser parser = FACTORY.createParser(document)) {
            parser.enable(JsonParser.Feature.USE_FAST_BIG_NUMBER_PARSER);
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("empty JSON document");
            }
            Object tree = read(parser, first);
            StringWriter out = new StringWriter(document.length());
            try (JsonGenerator gen = FACTORY.createGenerator(out)) {
                write(gen, tree);
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("invalid JSON value", e);
        }
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new TreeMap<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                    String name = p.currentName();
                    map.put(name, read(p, p.nextToken()));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                    list.add(read(p, n));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: {
                BigDecimal d = p.getDecimalValue();
                return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
            }
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IllegalArgumentException("unexpected JSON token " + t);
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d.toPlainString());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeString((String) v);
        }
    }
}
