package dev.parity.api.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a config, reported together. */
public final class ConfigException extends RuntimeException {
    private final List<ConfigProblem> problems;

    public ConfigException(String file, List<ConfigProblem> problems) {
        this(problems, "invalid configuration " + file);
    }

    private ConfigException(List<ConfigProblem> problems, String header) {
        super(header + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n  "
                + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n  ")));
        this.problems = List.copyOf(problems);
    }

    /** A valid configuration that does not fit the databases it names (found at start, not when parsing). */
    public static ConfigException atStart(List<ConfigProblem> problems) {
        return new ConfigException(problems, "the configuration does not fit the databases");
    }

    /** A valid configuration this machine cannot serve: a state directory that cannot be written, say. */
    public static ConfigException onThisMachine(List<ConfigProblem> problems) {
        return new ConfigException(problems, "the configuration does not fit this machine");
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
