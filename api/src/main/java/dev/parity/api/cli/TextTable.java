package dev.parity.api.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A table for the terminal: columns as wide as their widest cell, numbers right-aligned, and the state words
 * coloured when {@link #colourWanted()} (a terminal that is not dumb, and {@code NO_COLOR} unset); plain for
 * pipes and files, where {@code --json} is the way for scripts.
 */
final class TextTable {
    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,.]*(/[0-9,.]+)?( s)?|–|-");
    private static final Map<String, String> COLOURS = Map.of("IN_SYNC", "32", "READY", "32", "OK", "32", "DIVERGENT", "31",
            "NOT_READY", "31", "STALE", "33", "PENDING", "33", "UNVERIFIED", "33", "SNAPSHOTTING", "36", "STREAMING", "32");

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    TextTable row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Whether to colour: standard output is a terminal, {@code TERM} is not dumb and {@code NO_COLOR} is not set. */
    static boolean colourWanted() {
        return System.console() != null && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
    }

    String render(boolean colour) {
        int[] width = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            numeric[c] = !rows.isEmpty();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
                numeric[c] &= NUMBER.matcher(r.get(c)).matches();
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, width, numeric, false);
        rows.forEach(r -> line(out, r, width, numeric, colour));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width, boolean[] numeric, boolean colour) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            String shown = colour && COLOURS.containsKey(cell) ? "\u001b[" + COLOURS.get(cell) + "m" + cell + "\u001b[0m" : cell;
            l.append(c == 0 ? "" : "  ").append(numeric[c] ? pad + shown : shown + (c == cells.size() - 1 ? "" : pad));
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }
}
