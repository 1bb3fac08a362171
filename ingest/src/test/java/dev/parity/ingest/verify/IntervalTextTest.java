package dev.parity.ingest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PostgreSQL intervals come to one text form from the connector's ISO string and from the driver's fields alike. */
class IntervalTextTest {
    @Test
    void shouldBringTheConnectorsIsoTextAndTheDriversFieldsToOneForm() {
        // 1 year 2 mons 3 days 04:05:06.78, as the connector prints it and as months, days, microseconds
        assertThat(JdbcValueReader.intervalText("P1Y2M3DT4H5M6.78S")).isEqualTo(JdbcValueReader.intervalText(14, 3, 14_706_780_000L))
                .isEqualTo("P14M3DT14706.78S");
        assertThat(JdbcValueReader.intervalText("P0Y0M0DT0H0M0.14285700000000001S")).as("double noise rounded to microseconds")
                .isEqualTo(JdbcValueReader.intervalText(0, 0, 142_857));
        assertThat(JdbcValueReader.intervalText("P0Y0M-1DT-2H-3M-4.5S")).isEqualTo(JdbcValueReader.intervalText(0, -1, -7_384_500_000L));
        assertThat(JdbcValueReader.intervalText("not an interval")).isNull();
    }
}
