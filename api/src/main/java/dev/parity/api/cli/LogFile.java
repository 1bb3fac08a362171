package dev.parity.api.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Where {@code parity run} and {@code parity demo} log (README, "Logs"): the console gets Parity's own lines and
 * any library's errors, what a user can act on; {@code <state.dir>/parity.log} gets those and every library's
 * warnings too (Debezium's, Kafka's), for a bug report. The file is set once the config names the state dir.
 */
final class LogFile {
    static final String PROPERTY = "parity.log.file";

    private LogFile() {
    }

    /** Sends the full log to {@code <stateDir>/parity.log} from now on; returns the file. */
    static Path under(Path stateDir) throws IOException {
        Path file = stateDir.toAbsolutePath().normalize().resolve("parity.log");
        Files.createDirectories(file.getParent());
        System.setProperty(PROPERTY, file.toString());
        ((LoggerContext) LogManager.getContext(false)).reconfigure(); // the appender's file name is read from the property
        return file;
    }
}
