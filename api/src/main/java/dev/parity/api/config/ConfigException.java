package dev.parity.api.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a config, reported together. */
public final class ConfigException extends RuntimeException {
    private final List<ConfigProblem> problems;

    public ConfigException(String file, List<ConfigProblem> problems) {
        super("invalid configuration " + file + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n  "
                + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n  ")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
