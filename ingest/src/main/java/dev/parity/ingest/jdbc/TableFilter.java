package dev.parity.ingest.jdbc;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.regex.Pattern;

/** Include/exclude globs over {@code schema.table} names ({@code *} matches any run of characters). */
public record TableFilter(List<String> include, List<String> exclude) {
    public TableFilter {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    public boolean matches(String qualifiedName) {
        return include.stream().anyMatch(g -> glob(g).matcher(qualifiedName).matches())
                && exclude.stream().noneMatch(g -> glob(g).matcher(qualifiedName).matches());
    }

    static Pattern glob(String glob) {
        return Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
    }
}
