package dev.strand.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link LocalCassandra#start()} does with the process its data directory's PID file names, before it
 * launches (here a launch that fails at once: the Java home is made up). Stand-ins are shells whose command line
 * carries the data directory's identity argument.
 */
class LocalCassandraLeftoverTest {

    @TempDir
    Path dir;

    private CassandraSettings settings;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void fakeInstallation() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.createFile(lib.resolve("jamm-0.4.0.jar"));
        Files.createFile(lib.resolve("cassandra-all-5.0.9.jar"));
        int nativePort;
        int storagePort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            nativePort = a.getLocalPort();
            storagePort = b.getLocalPort();
        }
        settings = CassandraSettings.builder(dir.resolve("node")).libDir(lib).javaHome(dir.resolve("no-jdk"))
                .nativePort(nativePort).storagePort(storagePort).build();
        Files.createDirectories(settings.dataDir());
    }

    @AfterEach
    void stopStandIns() {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    private Process start(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(process);
        return process;
    }

    /** A process whose command line names the data directory, as the Cassandra running on it does. */
    private Process standIn() throws Exception {
        return start("sh", "-c", "while :; do sleep 1; done", settings.identityArgument());
    }

    private void startFailsToLaunch() {
        assertThatThrownBy(() -> new LocalCassandra(settings).start()).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot launch");
    }

    @Test
    void aCassandraLeftByAnEarlierRunWhoseLauncherIsGoneIsStopped() throws Exception {
        Process leftover = standIn();
        Files.writeString(settings.pidFile(), leftover.pid() + " 0\n");

        startFailsToLaunch();

        assertThat(ProcessIdentity.isRunning(leftover.pid())).isFalse();
    }

    @Test
    void aPidFileNamingAnUnrelatedProcessLeavesItAlone() throws Exception {
        Process unrelated = start("sleep", "64");
        Files.writeString(settings.pidFile(), unrelated.pid() + " 0\n");

        startFailsToLaunch();

        assertThat(unrelated.isAlive()).isTrue();
    }

    @Test
    void aCassandraWhoseLauncherStillRunsIsNotTakenOver() throws Exception {
        Process launcher = start("sh", "-c", "sh -c 'while :; do sleep 1; done' \"$0\" & echo $!; wait",
                settings.identityArgument());
        long cassandra;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8))) {
            cassandra = Long.parseLong(out.readLine().trim());
        }
        // `echo $!` comes right after the fork: wait until the child has become the stand-in (exec'd)
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessIdentity.arguments(cassandra)
                .contains("while :; do sleep 1; done"));
        Files.writeString(settings.pidFile(), cassandra + " " + launcher.pid() + "\n");

        assertThatThrownBy(() -> new LocalCassandra(settings).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in use by Cassandra pid " + cassandra);
        assertThat(ProcessIdentity.isRunning(cassandra)).isTrue();
    }
}
