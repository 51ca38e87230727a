package dev.strand.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraCommandLineTest {

    @TempDir
    Path dir;

    private CassandraSettings settings;

    @BeforeEach
    void fakeInstallation() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.createFile(lib.resolve("jamm-0.4.0.jar"));
        Files.createFile(lib.resolve("cassandra-all-5.0.9.jar"));
        settings = CassandraSettings.builder(dir.resolve("node"))
                .libDir(lib)
                .javaHome(dir.resolve("jdk17"))
                .heapMiB(768)
                .build();
    }

    @Test
    void runsTheDaemonInTheForegroundWithTheGivenJava() {
        List<String> cmd = CassandraCommandLine.command(settings);

        assertThat(cmd.get(0)).isEqualTo(dir.resolve("jdk17").resolve("bin").resolve("java").toString());
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("org.apache.cassandra.service.CassandraDaemon");
        assertThat(cmd).contains("-Dcassandra-foreground=yes");
    }

    @Test
    void byDefaultTheDaemonRunsUnderAWatchdogOnThisJvm() {
        List<String> cmd = CassandraCommandLine.command(settings);

        assertThat(cmd).containsSubsequence("-cp", dir.resolve("lib").resolve("*") + java.io.File.pathSeparator
                + CassandraFiles.watchdogClasses(settings));
        assertThat(cmd.subList(cmd.size() - 3, cmd.size())).containsExactly(ParentWatchdog.class.getName(),
                Long.toString(ProcessHandle.current().pid()), "org.apache.cassandra.service.CassandraDaemon");
    }

    @Test
    void aDaemonThatOutlivesItsLauncherRunsWithoutTheWatchdog() {
        List<String> cmd = CassandraCommandLine.command(CassandraSettings.builder(settings.dataDir())
                .libDir(settings.libDir()).javaHome(settings.javaHome()).exitWithParent(false).build());

        assertThat(cmd).containsSubsequence("-cp", dir.resolve("lib").resolve("*").toString(),
                "org.apache.cassandra.service.CassandraDaemon");
        assertThat(cmd).doesNotContain(ParentWatchdog.class.getName());
    }

    @Test
    void heapIsFixedToTheSetting() {
        assertThat(CassandraCommandLine.command(settings)).contains("-Xms768m", "-Xmx768m");
    }

    @Test
    void configurationAndLogsComeFromTheDataDirectory() {
        List<String> cmd = CassandraCommandLine.command(settings);

        assertThat(cmd).contains(
                "-Dcassandra.config=" + settings.yamlFile().toUri(),
                "-Dcassandra.storagedir=" + settings.dataDir(),
                "-Dcassandra.logdir=" + settings.logDir(),
                "-Dlogback.configurationFile=" + settings.logbackFile().toUri());
    }

    @Test
    void java17ModuleAccessIsGranted() {
        List<String> cmd = CassandraCommandLine.command(settings);

        assertThat(cmd).containsSubsequence("--add-opens", "java.base/java.io=ALL-UNNAMED");
        assertThat(cmd).containsSubsequence("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");
        assertThat(cmd).containsSubsequence("--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED");
        assertThat(cmd).contains("-Djdk.attach.allowAttachSelf=true", "-XX:+UseG1GC",
                "-Dio.netty.tryReflectionSetAccessible=true");
    }

    @Test
    void jammAgentComesFromTheLibDirectory() {
        assertThat(CassandraCommandLine.command(settings))
                .contains("-javaagent:" + dir.resolve("lib").resolve("jamm-0.4.0.jar"));
    }

    @Test
    void jmxStaysOff() {
        assertThat(CassandraCommandLine.command(settings))
                .noneMatch(arg -> arg.startsWith("-Dcassandra.jmx") || arg.startsWith("-Dcom.sun.management.jmxremote"));
    }

    @Test
    void libDirectoryWithoutJammIsRejected() throws Exception {
        Files.delete(dir.resolve("lib").resolve("jamm-0.4.0.jar"));

        assertThatThrownBy(() -> CassandraCommandLine.command(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jamm");
    }
}
