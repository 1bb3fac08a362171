package dev.parity.ingest.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares the server settings that decide how values are stored, across engines: each side's
 * setting is normalised to a meaning first (PostgreSQL {@code TimeZone=Etc/UTC} and MariaDB
 * {@code time_zone=+00:00} are the same zone; {@code UTF8} and {@code utf8mb4} the same set).
 */
public final class SettingsComparison {
    private static final Set<String> UTC = Set.of("UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "+00:00", "-00:00", "UCT", "ETC/UCT", "ZULU", "UNIVERSAL");

    private SettingsComparison() {
    }

    public static List<SettingDrift> compare(Engine sourceEngine, Map<String, String> source, Engine targetEngine, Map<String, String> target) {
        List<SettingDrift> out = new ArrayList<>();
        String sz = timeZone(sourceEngine, source);
        String tz = timeZone(targetEngine, target);
        if (!Objects.equals(sz, tz)) {
            out.add(new SettingDrift("time zone", sz, tz, true,
                    "TIMESTAMP values written or read in sessions using the server's default zone land an offset apart"));
        }
        boolean ss = strict(sourceEngine, source);
        boolean ts = strict(targetEngine, target);
        if (ss != ts) {
            out.add(new SettingDrift("strict mode", ss ? "strict" : "not strict", ts ? "strict" : "not strict", true, ss
                    ? "the target silently truncates or adjusts values the source would reject"
                    : "the target rejects values the source accepts: writes that work today fail after the flip"));
        }
        String sc = charset(sourceEngine, source);
        String tc = charset(targetEngine, target);
        if (!Objects.equals(sc, tc)) {
            out.add(new SettingDrift("character set", sc, tc, true, "characters outside the narrower set are replaced or rejected"));
        }
        if (sourceEngine.isBinlog() && targetEngine.isBinlog()) {
            info(out, "sql_mode", source, target, "statements behave differently (zero dates, group by, quoting)");
            info(out, "collation_server", source, target, "string ordering and uniqueness differ");
            info(out, "explicit_defaults_for_timestamp", source, target, "TIMESTAMP columns get different defaults and nullability");
        } else if (sourceEngine == Engine.POSTGRESQL && targetEngine == Engine.POSTGRESQL) {
            info(out, "lc_collate", source, target, "string ordering and index order differ");
            info(out, "DateStyle", source, target, "dates are parsed and printed differently");
            info(out, "IntervalStyle", source, target, "intervals are printed differently");
        }
        return out;
    }

    private static void info(List<SettingDrift> out, String name, Map<String, String> s, Map<String, String> t, String risk) {
        if (!Objects.equals(s.get(name), t.get(name))) {
            out.add(new SettingDrift(name, s.get(name), t.get(name), false, risk));
        }
    }

    static String timeZone(Engine engine, Map<String, String> settings) {
        String zone = engine == Engine.POSTGRESQL ? settings.get("TimeZone") : settings.get("time_zone");
        if (engine != Engine.POSTGRESQL && "SYSTEM".equalsIgnoreCase(zone)) {
            zone = settings.get("system_time_zone");
        }
        if (zone == null) {
            return null;
        }
        String z = zone.trim().toUpperCase(Locale.ROOT);
        if (UTC.contains(z)) {
            return "UTC";
        }
        if (z.matches("[+-]\\d:\\d\\d")) {
            return z.charAt(0) + "0" + z.substring(1);
        }
        return zone.trim();
    }

    static boolean strict(Engine engine, Map<String, String> settings) {
        if (engine == Engine.POSTGRESQL) {
            return true; // PostgreSQL never truncates or adjusts silently
        }
        String mode = settings.getOrDefault("sql_mode", "").toUpperCase(Locale.ROOT);
        return mode.contains("STRICT_TRANS_TABLES") || mode.contains("STRICT_ALL_TABLES");
    }

    static String charset(Engine engine, Map<String, String> settings) {
        String cs = engine == Engine.POSTGRESQL ? settings.get("server_encoding") : settings.get("character_set_server");
        if (cs == null) {
            return null;
        }
        return switch (cs.toLowerCase(Locale.ROOT)) {
            case "utf8", "utf-8", "utf8mb4" -> engine == Engine.POSTGRESQL || cs.equalsIgnoreCase("utf8mb4") ? "UTF-8" : "UTF-8 (3-byte, no 4-byte characters)";
            case "utf8mb3" -> "UTF-8 (3-byte, no 4-byte characters)";
            case "latin1" -> "LATIN1";
            default -> cs;
        };
    }
}
