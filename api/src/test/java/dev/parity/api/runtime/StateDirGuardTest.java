package dev.parity.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parity.api.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks on {@code state.dir} that need no privileges (README, "When things fail"); a full and a read-only file
 * system under a running Parity are {@code StateDirFullIT}'s.
 */
class StateDirGuardTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCreateAMissingDirectoryAndLeaveNothingElseInIt() throws Exception {
        Path dir = tmp.resolve("a/b/state");
        new StateDirGuard(dir, 1).requireUsable();
        assertThat(dir).isDirectory();
        try (var files = Files.list(dir)) {
            assertThat(files).as("the write probe is removed").isEmpty();
        }
    }

    @Test
    void shouldRefuseADirectoryThatCannotBeCreatedAsAConfigProblem() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        assertThatThrownBy(() -> new StateDirGuard(file.resolve("state"), 1).requireUsable())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("state.dir: " + file.resolve("state") + ": cannot be created (Not a directory)");
    }

    @Test
    void shouldRefuseAFileSystemWithLessRoomThanTheMinimum() {
        long freeMb = tmp.toFile().getUsableSpace() / (1024 * 1024);
        int min = (int) Math.min(Integer.MAX_VALUE, freeMb + 1024);
        assertThatThrownBy(() -> new StateDirGuard(tmp, min).requireUsable())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("state.dir: " + tmp)
                .hasMessageMatching("(?s).*has \\d+ MB free, below state.minFreeMb \\(" + min + " MB\\).*");
    }

    @Test
    void shouldStopOnceWhenTheDirectoryCanNoLongerBeWritten() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("state"));
        CopyOnWriteArrayList<String> stops = new CopyOnWriteArrayList<>();
        try (StateDirGuard guard = new StateDirGuard(dir, 1)) {
            guard.requireUsable();
            guard.watch(stops::add);
            await().during(StateDirGuard.PERIOD.multipliedBy(2)).atMost(StateDirGuard.PERIOD.multipliedBy(3)).until(stops::isEmpty);
            assertThat(guard.freeBytes()).as("free space was looked at").isPositive();
            Files.delete(dir); // the directory goes (a volume unmounted under it); a file takes its place
            Files.writeString(dir, "not a directory");
            await().atMost(Duration.ofSeconds(10)).until(() -> !stops.isEmpty());
            assertThat(stops.get(0)).startsWith("cannot be written (");
            // later looks must not stop it again
            await().during(StateDirGuard.PERIOD.multipliedBy(2)).atMost(StateDirGuard.PERIOD.multipliedBy(3)).until(() -> stops.size() == 1);
        }
    }
}
