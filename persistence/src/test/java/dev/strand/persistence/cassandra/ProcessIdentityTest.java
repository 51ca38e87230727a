package dev.strand.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessIdentityTest {

    @TempDir
    Path dir;

    private Process started;

    @AfterEach
    void stopWhatWasStarted() {
        if (started != null) {
            started.destroyForcibly();
        }
    }

    private Process start(String... command) throws Exception {
        started = new ProcessBuilder(command).start();
        return started;
    }

    @Test
    void aProcessIsFoundByItsPidOnlyWhileAnArgumentOfItsCommandLineNamesIt() throws Exception {
        Process sleep = start("sleep", "61");

        assertThat(ProcessIdentity.find(sleep.pid(), "61")).map(ProcessHandle::pid).contains(sleep.pid());
        assertThat(ProcessIdentity.find(sleep.pid(), "6")).as("a whole argument, not a part").isEmpty();
        assertThat(ProcessIdentity.find(sleep.pid(), "-Dcassandra.storagedir=/x")).isEmpty();
    }

    @Test
    void aProcessThatExitedIsNotFound() throws Exception {
        Process sleep = start("sleep", "62");
        sleep.destroyForcibly();
        sleep.waitFor();

        assertThat(ProcessIdentity.isRunning(sleep.pid())).isFalse();
        assertThat(ProcessIdentity.find(sleep.pid(), "62")).isEmpty();
    }

    @Test
    void stopEndsAProcessThatHonoursSigterm() throws Exception {
        Process sleep = start("sleep", "63");

        assertThat(ProcessIdentity.stop(sleep.toHandle(), Duration.ofSeconds(10))).isTrue();
        assertThat(ProcessIdentity.isRunning(sleep.pid())).isFalse();
    }

    @Test
    void stopKillsAProcessThatIgnoresSigtermOnceTheGraceIsOver() throws Exception {
        Process stubborn = start("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done");
        stubborn.getInputStream().read(); // "ready": the trap is set

        long begun = System.nanoTime();
        assertThat(ProcessIdentity.stop(stubborn.toHandle(), Duration.ofMillis(500))).isTrue();
        assertThat(ProcessIdentity.isRunning(stubborn.pid())).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aPidFileGivesItsFirstNumber() throws Exception {
        Path file = dir.resolve("x.pid");
        assertThat(ProcessIdentity.readPid(file)).isEmpty();
        Files.writeString(file, "1234 99\n");
        assertThat(ProcessIdentity.readPid(file)).contains(1234L);
        Files.writeString(file, "garbage\n");
        assertThat(ProcessIdentity.readPid(file)).isEmpty();
    }
}
