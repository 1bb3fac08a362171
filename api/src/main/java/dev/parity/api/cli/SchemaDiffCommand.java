package dev.parity.api.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.inspect.SchemaDiff;
import dev.parity.ingest.engine.SettingDrift;
import dev.parity.ingest.schema.SchemaDifference;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "schema-diff", description = "Compare source and target structure and server settings once, without Kafka."
        + " Exit 0 no drift, 1 drift, 2 error.")
final class SchemaDiffCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
    Path config;

    @Option(names = "--json", description = "Print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SchemaDiff.Report report = SchemaDiff.run(ConfigLoader.load(config, System.getenv()).ingest());
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            print(report);
        }
        return report.drift() ? 1 : 0;
    }

    private static void print(SchemaDiff.Report r) {
        System.out.println("--- source " + r.source());
        System.out.println("+++ target " + r.target());
        String table = null;
        for (SchemaDifference d : r.differences()) {
            if (!Objects.equals(table, d.table())) {
                table = d.table();
                System.out.println("@@ " + table);
            }
            if (d.source() != null) {
                System.out.println("- " + d.aspect() + " " + d.source());
            }
            if (d.target() != null) {
                System.out.println("+ " + d.aspect() + " " + d.target());
            }
            if (d.risk() != null) {
                System.out.println("  ! " + d.risk());
            }
        }
        if (!r.settings().isEmpty()) {
            System.out.println("@@ server settings");
            for (SettingDrift s : r.settings()) {
                System.out.println("- " + s.setting() + " " + s.source());
                System.out.println("+ " + s.setting() + " " + s.target());
                System.out.println("  " + (s.dataRisk() ? "! " : "") + s.risk());
            }
        }
        System.out.println(r.drift() ? r.differences().size() + " structural difference(s), " + r.settings().size() + " setting difference(s)"
                : "no drift");
    }
}
