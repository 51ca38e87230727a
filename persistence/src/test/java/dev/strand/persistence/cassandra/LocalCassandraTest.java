package dev.strand.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCassandraTest {

    @TempDir
    Path dir;

    private final String savedLib = System.getProperty(LocalCassandra.LIB_PROPERTY);
    private final String savedJava = System.getProperty(LocalCassandra.JAVA_HOME_PROPERTY);

    @AfterEach
    void restoreProperties() {
        restore(LocalCassandra.LIB_PROPERTY, savedLib);
        restore(LocalCassandra.JAVA_HOME_PROPERTY, savedJava);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private Path fakeLib() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.createFile(lib.resolve("jamm-0.4.0.jar"));
        Files.createFile(lib.resolve("cassandra-all-5.0.9.jar"));
        return lib;
    }

    @Test
    void libDirectoryFromThePropertyWins() throws Exception {
        Path lib = fakeLib();
        System.setProperty(LocalCassandra.LIB_PROPERTY, lib.toString());

        assertThat(LocalCassandra.locateLibDir()).isEqualTo(lib.toAbsolutePath().normalize());
    }

    @Test
    void libDirectoryWithoutCassandraJarsFailsWithTheBuildCommand() {
        System.setProperty(LocalCassandra.LIB_PROPERTY, dir.toString());

        assertThatThrownBy(LocalCassandra::locateLibDir)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mvn -pl cassandra-dist generate-resources");
    }

    @Test
    void javaHomeFromThePropertyWins() throws Exception {
        Path java = Files.createDirectories(dir.resolve("jdk").resolve("bin")).resolve("java");
        Files.createFile(java);
        assertThat(java.toFile().setExecutable(true)).isTrue();
        System.setProperty(LocalCassandra.JAVA_HOME_PROPERTY, dir.resolve("jdk").toString());

        assertThat(LocalCassandra.locateJavaHome()).isEqualTo(dir.resolve("jdk").toAbsolutePath().normalize());
    }

    @Test
    void locatedJavaIsAJava17() {
        Path home = LocalCassandra.locateJavaHome();

        assertThat(LocalCassandra.javaFeatureVersion(home)).isEqualTo(17);
    }

    @Test
    void featureVersionIsReadFromTheReleaseFile() throws Exception {
        Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"17.0.15\"\n");

        assertThat(LocalCassandra.javaFeatureVersion(dir)).isEqualTo(17);
    }

    @Test
    void startFailsFastWhenTheCqlPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            CassandraSettings settings = CassandraSettings.builder(dir.resolve("node"))
                    .libDir(fakeLib())
                    .javaHome(dir.resolve("jdk"))
                    .nativePort(taken.getLocalPort())
                    .stopOnJvmExit(false)
                    .build();
            LocalCassandra cassandra = new LocalCassandra(settings);

            assertThatThrownBy(cassandra::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CQL port")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
            assertThat(cassandra.isRunning()).isFalse();
        }
    }

    @Test
    void startFailsFastWhenTheStoragePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            CassandraSettings settings = CassandraSettings.builder(dir.resolve("node"))
                    .libDir(fakeLib())
                    .javaHome(dir.resolve("jdk"))
                    .storagePort(taken.getLocalPort())
                    .stopOnJvmExit(false)
                    .build();

            assertThatThrownBy(new LocalCassandra(settings)::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("storage port");
        }
    }

    @Test
    void processThatDiesDuringStartupFailsStartWithItsOutput() throws Exception {
        // A "java" that prints a complaint and exits stands in for a Cassandra that cannot start.
        Path bin = Files.createDirectories(dir.resolve("jdk").resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'Invalid yaml: no such key' >&2\nexit 3\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        CassandraSettings settings = CassandraSettings.builder(dir.resolve("node"))
                .libDir(fakeLib())
                .javaHome(dir.resolve("jdk"))
                .nativePort(freePort())
                .storagePort(freePort())
                .stopOnJvmExit(false)
                .build();
        LocalCassandra cassandra = new LocalCassandra(settings);

        assertThatThrownBy(cassandra::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited during startup with code 3")
                .hasMessageContaining("Invalid yaml: no such key");
        assertThat(cassandra.isRunning()).isFalse();
    }

    @Test
    void settingsRejectTheSamePortTwice() {
        assertThatThrownBy(() -> CassandraSettings.builder(dir).libDir(dir).javaHome(dir)
                .nativePort(20000).storagePort(20000).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stoppingACassandraThatNeverStartedDoesNothing() throws Exception {
        LocalCassandra cassandra = new LocalCassandra(CassandraSettings.builder(dir.resolve("node"))
                .libDir(fakeLib()).javaHome(dir).build());

        cassandra.stop();

        assertThat(cassandra.isRunning()).isFalse();
        assertThatThrownBy(cassandra::pid).isInstanceOf(IllegalStateException.class);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
