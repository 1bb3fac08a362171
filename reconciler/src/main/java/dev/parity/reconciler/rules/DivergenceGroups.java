package dev.parity.reconciler.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Divergent keys of one table grouped by what differs — the same columns, the same cause, the same
 * detail — so that 14 keys shifted by one hour read as one finding, not 14 (README, "Which column,
 * and why"). Pure: keys and their findings in, groups with counts and sample keys out, largest first.
 */
public final class DivergenceGroups {
    /** Sample keys kept per group. */
    public static final int SAMPLES = 5;

    private DivergenceGroups() {
    }

    /**
     * One divergent key as grouping sees it.
     *
     * @param kind     {@code MISMATCH}, {@code MISSING_ON_TARGET} or {@code EXTRA_ON_TARGET}
     * @param findings its differing columns (MISMATCH only), empty for the other kinds
     * @param origin   where it came from ({@link Origin}), counted per group; null when unknown
     */
    public record Member(Map<String, Object> key, String kind, List<ColumnDiff.Finding> findings, Origin origin) {
    }

    /** @param cause a {@link ColumnDiff.Cause}, {@code MIXED}, or the row's kind for a missing or extra row */
    public record Group(String table, List<String> columns, String cause, String detail, long keys, List<Map<String, Object>> sampleKeys,
                        Map<Origin, Long> origins) {
        /** The group in one sentence, as status, {@code parity diff} and the alert lead with it. */
        public String sentence() {
            Long writes = origins.get(Origin.TARGET_WRITE);
            // "Someone is writing to the target" is the most urgent thing to learn in a cutover: it comes first.
            String lead = writes == null ? "" : (writes == keys ? "written on the target outside replication: " : writes + " written on the target outside replication: ");
            return lead + describe();
        }

        private String describe() {
            String n = keys + (keys == 1 ? " key" : " keys");
            String differ = keys == 1 ? " differs" : " differ";
            String cols = columns.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
            return switch (cause) {
                case "MISSING_ON_TARGET" -> table + " — " + n + " missing on the target";
                case "EXTRA_ON_TARGET" -> table + " — " + n + " only on the target";
                case "TIME_SHIFT" -> table + " — " + n + differ + " only in " + cols + (keys == 1 ? ", by exactly " : ", each by exactly ") + detail;
                case "CASE", "PADDING" -> table + " — " + n + differ + " only in " + cols + ": " + words(cause);
                default -> table + " — " + n + differ + " only in " + cols + ": " + words(cause) + (detail == null ? "" : " (" + detail + ")");
            };
        }

        private static String words(String cause) {
            return switch (cause) {
                case "TRUNCATED" -> "cut short on the target";
                case "ROUNDED" -> "rounded on the target";
                case "ENCODING" -> "text in another encoding";
                case "PADDING" -> "trailing spaces only";
                case "CASE" -> "letter case only";
                case "NULL_VS_EMPTY" -> "NULL on one side, empty on the other";
                case "MIXED" -> "several causes";
                default -> "values differ";
            };
        }
    }

    public static List<Group> group(String table, List<Member> members) {
        Map<List<Object>, List<Member>> byKey = new LinkedHashMap<>();
        for (Member m : members) {
            byKey.computeIfAbsent(groupKey(m), k -> new ArrayList<>()).add(m);
        }
        List<Group> out = new ArrayList<>();
        byKey.forEach((k, ms) -> {
            @SuppressWarnings("unchecked")
            List<String> columns = (List<String>) k.get(0);
            Map<Origin, Long> origins = new java.util.EnumMap<>(Origin.class);
            ms.stream().filter(m -> m.origin() != null).forEach(m -> origins.merge(m.origin(), 1L, Long::sum));
            out.add(new Group(table, columns, (String) k.get(1), (String) k.get(2), ms.size(),
                    ms.stream().limit(SAMPLES).map(Member::key).toList(), origins));
        });
        out.sort(Comparator.comparingLong(Group::keys).reversed());
        return out;
    }

    private static List<Object> groupKey(Member m) {
        if (!"MISMATCH".equals(m.kind())) {
            return java.util.Arrays.asList(List.of(), m.kind(), null);
        }
        List<String> columns = m.findings().stream().map(ColumnDiff.Finding::column).sorted().toList();
        String cause = ColumnDiff.rowCause(m.findings());
        String detail = "MIXED".equals(cause) || m.findings().isEmpty() ? null : shared(m.findings());
        return java.util.Arrays.asList(columns, cause == null ? "OTHER" : cause, detail);
    }

    /** The part of the findings' details that is the same for every key of a group (a row's own lengths are not). */
    private static String shared(List<ColumnDiff.Finding> findings) {
        List<String> parts = findings.stream().map(DivergenceGroups::sharedDetail).filter(Objects::nonNull).distinct().toList();
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    static String sharedDetail(ColumnDiff.Finding f) {
        return switch (f.cause()) {
            case TRUNCATED -> {
                int i = f.detail() == null ? -1 : f.detail().indexOf("the target column holds");
                yield i < 0 ? "a prefix of the source" : f.detail().substring(i);
            }
            case PADDING -> "trailing spaces";
            case OTHER -> null;
            default -> f.detail();
        };
    }
}
