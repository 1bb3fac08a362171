package dev.parity.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsComparisonTest {
    private static Map<String, String> maria(String tz, String mode, String cs) {
        Map<String, String> m = new HashMap<>(Map.of("time_zone", tz, "system_time_zone", "UTC", "sql_mode", mode,
                "character_set_server", cs, "collation_server", cs + "_general_ci", "explicit_defaults_for_timestamp", "ON"));
        return m;
    }

    private static Map<String, String> pg(String tz, String enc) {
        return Map.of("TimeZone", tz, "server_encoding", enc, "DateStyle", "ISO, MDY", "IntervalStyle", "postgres", "lc_collate", "C");
    }

    @Test
    void shouldSeeNoDriftBetweenEquivalentSettingsAcrossEngines() {
        assertThat(SettingsComparison.compare(Engine.MARIADB, maria("SYSTEM", "STRICT_TRANS_TABLES", "utf8mb4"),
                Engine.POSTGRESQL, pg("Etc/UTC", "UTF8"))).isEmpty();
        assertThat(SettingsComparison.compare(Engine.MARIADB, maria("+00:00", "STRICT_ALL_TABLES", "utf8mb4"),
                Engine.MARIADB, maria("UTC", "STRICT_ALL_TABLES", "utf8mb4"))).isEmpty();
    }

    @Test
    void shouldFlagATimeZoneOneHourOffAsADataRisk() {
        List<SettingDrift> d = SettingsComparison.compare(Engine.MARIADB, maria("+00:00", "STRICT_TRANS_TABLES", "utf8mb4"),
                Engine.MARIADB, maria("+1:00", "STRICT_TRANS_TABLES", "utf8mb4"));
        assertThat(d).singleElement().satisfies(x -> {
            assertThat(x.setting()).isEqualTo("time zone");
            assertThat(x.source()).isEqualTo("UTC");
            assertThat(x.target()).isEqualTo("+01:00");
            assertThat(x.dataRisk()).isTrue();
        });
    }

    @Test
    void shouldFlagANonStrictTargetAndANarrowerCharacterSet() {
        List<SettingDrift> d = SettingsComparison.compare(Engine.POSTGRESQL, pg("UTC", "UTF8"), Engine.MYSQL, maria("UTC", "NO_ENGINE_SUBSTITUTION", "utf8mb3"));
        assertThat(d).extracting(SettingDrift::setting).containsExactly("strict mode", "character set");
        assertThat(d).allMatch(SettingDrift::dataRisk);
        assertThat(d.get(0).risk()).contains("silently truncates");
    }

    @Test
    void shouldReportOtherSameEngineDifferencesAsInformation() {
        Map<String, String> s = maria("UTC", "STRICT_TRANS_TABLES", "utf8mb4");
        Map<String, String> t = new HashMap<>(s);
        t.put("collation_server", "utf8mb4_bin");
        assertThat(SettingsComparison.compare(Engine.MARIADB, s, Engine.MARIADB, t)).singleElement()
                .satisfies(x -> assertThat(x.dataRisk()).isFalse());
    }
}
