package dev.strand.persistence.cassandra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link LocalCassandra} runs one single-node Cassandra. Build with {@link #builder(Path)}; the
 * library directory and the Java home are located automatically unless given.
 *
 * @param dataDir          everything of this node lives here: conf/, logs/, data/, commitlog/, ...
 * @param nativePort       CQL port on 127.0.0.1
 * @param storagePort      inter-node port on 127.0.0.1 (unused by a single node, but bound)
 * @param heapMiB          fixed heap (-Xms = -Xmx); left alone Cassandra takes a quarter of the RAM
 * @param libDir           directory holding Cassandra's runtime jars (incl. jamm-*.jar)
 * @param javaHome         a Java 17 installation (Cassandra 5.0 does not run on newer ones)
 * @param clusterName      cluster_name; must not change once the data directory holds data
 * @param commitlogSync    when writes are acknowledged relative to the commit-log fsync
 * @param commitlogWindow  the period (periodic) or window (group); ignored for batch
 * @param startupTimeout   how long {@link LocalCassandra#start()} waits for CQL to answer
 * @param stopOnJvmExit    stop Cassandra from a shutdown hook when the owning JVM exits (e.g. Ctrl-C)
 * @param exitWithParent   Cassandra exits by itself when the JVM that started it is gone, even after a SIGKILL
 *                         that ran no hook ({@link ParentWatchdog}); off for one that must outlive its launcher
 */
public record CassandraSettings(
        Path dataDir,
        int nativePort,
        int storagePort,
        int heapMiB,
        Path libDir,
        Path javaHome,
        String clusterName,
        CommitlogSync commitlogSync,
        Duration commitlogWindow,
        Duration startupTimeout,
        boolean stopOnJvmExit,
        boolean exitWithParent) {

    public static final int DEFAULT_NATIVE_PORT = 19042;
    public static final int DEFAULT_STORAGE_PORT = 17000;
    public static final int DEFAULT_HEAP_MIB = 1024;
    public static final String DEFAULT_CLUSTER_NAME = "strand";
    /** Crash-durable and the fastest durable mode measured (persistence/README.md). */
    public static final CommitlogSync DEFAULT_COMMITLOG_SYNC = CommitlogSync.BATCH;

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public CassandraSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(libDir, "libDir");
        Objects.requireNonNull(javaHome, "javaHome");
        Objects.requireNonNull(commitlogSync, "commitlogSync");
        Objects.requireNonNull(commitlogWindow, "commitlogWindow");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        requirePort(nativePort, "nativePort");
        requirePort(storagePort, "storagePort");
        if (nativePort == storagePort) {
            throw new IllegalArgumentException("nativePort and storagePort must differ: " + nativePort);
        }
        if (heapMiB < 256) {
            throw new IllegalArgumentException("heapMiB must be at least 256, was " + heapMiB);
        }
        if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("clusterName must match " + CLUSTER_NAME + ": " + clusterName);
        }
        if (commitlogSync != CommitlogSync.BATCH && commitlogWindow.toMillis() < 1) {
            throw new IllegalArgumentException(commitlogSync + " needs a commitlogWindow of at least 1 ms");
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        libDir = libDir.toAbsolutePath().normalize();
        javaHome = javaHome.toAbsolutePath().normalize();
    }

    private static void requirePort(int port, String name) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Same settings, another data directory. */
    public CassandraSettings withDataDir(Path newDataDir) {
        return new CassandraSettings(newDataDir, nativePort, storagePort, heapMiB, libDir, javaHome,
                clusterName, commitlogSync, commitlogWindow, startupTimeout, stopOnJvmExit, exitWithParent);
    }

    public Path confDir() {
        return dataDir.resolve("conf");
    }

    public Path logDir() {
        return dataDir.resolve("logs");
    }

    public Path yamlFile() {
        return confDir().resolve("cassandra.yaml");
    }

    public Path logbackFile() {
        return confDir().resolve("logback.xml");
    }

    /** Where the process's own stdout and stderr go (JVM messages; Cassandra logs to system.log). */
    public Path stdoutLog() {
        return logDir().resolve("stdout.log");
    }

    public Path systemLog() {
        return logDir().resolve("system.log");
    }

    /** The running node's PID (and that of the JVM it must not outlive, 0 if none), while it runs. */
    public Path pidFile() {
        return pidFile(dataDir);
    }

    public static Path pidFile(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("cassandra.pid");
    }

    /** The argument of the node's command line that names it: no other process runs on this data directory. */
    public String identityArgument() {
        return identityArgument(dataDir);
    }

    public static String identityArgument(Path dataDir) {
        return "-Dcassandra.storagedir=" + dataDir.toAbsolutePath().normalize();
    }

    public static final class Builder {
        private final Path dataDir;
        private int nativePort = DEFAULT_NATIVE_PORT;
        private int storagePort = DEFAULT_STORAGE_PORT;
        private int heapMiB = DEFAULT_HEAP_MIB;
        private Path libDir;
        private Path javaHome;
        private String clusterName = DEFAULT_CLUSTER_NAME;
        private CommitlogSync commitlogSync = DEFAULT_COMMITLOG_SYNC;
        private Duration commitlogWindow;
        private Duration startupTimeout = Duration.ofSeconds(120);
        private boolean stopOnJvmExit = true;
        private boolean exitWithParent = true;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        public Builder nativePort(int port) {
            this.nativePort = port;
            return this;
        }

        public Builder storagePort(int port) {
            this.storagePort = port;
            return this;
        }

        public Builder heapMiB(int mebibytes) {
            this.heapMiB = mebibytes;
            return this;
        }

        public Builder libDir(Path dir) {
            this.libDir = dir;
            return this;
        }

        public Builder javaHome(Path home) {
            this.javaHome = home;
            return this;
        }

        public Builder clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        /** The window defaults to 10 s for periodic and 2 ms for group. */
        public Builder commitlogSync(CommitlogSync sync) {
            this.commitlogSync = sync;
            return this;
        }

        public Builder commitlogSync(CommitlogSync sync, Duration window) {
            this.commitlogSync = sync;
            this.commitlogWindow = window;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        public Builder stopOnJvmExit(boolean stop) {
            this.stopOnJvmExit = stop;
            return this;
        }

        public Builder exitWithParent(boolean exit) {
            this.exitWithParent = exit;
            return this;
        }

        /** Locates the lib dir and a Java 17 if they were not given; throws if either is missing. */
        public CassandraSettings build() {
            Path lib = libDir != null ? libDir : LocalCassandra.locateLibDir();
            Path java = javaHome != null ? javaHome : LocalCassandra.locateJavaHome();
            Duration window = commitlogWindow != null ? commitlogWindow : defaultWindow(commitlogSync);
            return new CassandraSettings(dataDir, nativePort, storagePort, heapMiB, lib, java, clusterName,
                    commitlogSync, window, startupTimeout, stopOnJvmExit, exitWithParent);
        }

        private static Duration defaultWindow(CommitlogSync sync) {
            return switch (sync) {
                case PERIODIC -> Duration.ofSeconds(10);
                case GROUP -> Duration.ofMillis(2);
                case BATCH -> Duration.ZERO;
            };
        }
    }
}
