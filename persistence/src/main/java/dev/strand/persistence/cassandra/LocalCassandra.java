package dev.strand.persistence.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a real single-node Cassandra 5.0 as a separate JVM process, bound to 127.0.0.1. Never
 * in-process: Cassandra's classpath (its own Netty, Guava, Jackson, Logback) clashes with Strand's.
 *
 * <pre>{@code
 * try (LocalCassandra cassandra = new LocalCassandra(CassandraSettings.builder(dir).build())) {
 *     cassandra.start();           // returns once CQL answers on 127.0.0.1:19042
 *     ...
 * }                                // stop(): SIGTERM, then SIGKILL after 60 s
 * }</pre>
 *
 * Starting again on the same data directory keeps the data. By default the node exits when the JVM that started
 * it is gone, even after a SIGKILL ({@link ParentWatchdog}); its PID is kept in the data directory's
 * {@code cassandra.pid} while it runs, so that a later start stops a node an earlier run left behind.
 */
public final class LocalCassandra implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final String LIB_PROPERTY = "strand.cassandra.lib";
    public static final String LIB_ENV = "STRAND_CASSANDRA_LIB";
    public static final String JAVA_HOME_PROPERTY = "strand.cassandra.java-home";
    public static final String JAVA_HOME_ENV = "STRAND_CASSANDRA_JAVA_HOME";

    /** Cassandra 5.0 runs on Java 11 and 17 only; Strand's tooling is built for 17. */
    static final int REQUIRED_JAVA_FEATURE = 17;

    private static final Logger log = LoggerFactory.getLogger(LocalCassandra.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);
    private static final Path LIB_IN_CHECKOUT = Paths.get("cassandra-dist", "target", "cassandra", "lib");
    private static final Path JVM_DIR = Paths.get("/usr/lib/jvm");

    private final CassandraSettings settings;
    // Volatile, not guarded by the monitor: the shutdown hook must reach it even while start() waits.
    private volatile Process process;
    private Thread shutdownHook;

    public LocalCassandra(CassandraSettings settings) {
        this.settings = settings;
    }

    public CassandraSettings settings() {
        return settings;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return settings.nativePort();
    }

    /**
     * Writes the configuration, launches Cassandra and returns once it answers a CQL query.
     *
     * @throws IllegalStateException if already running, if a port is taken, if the process exits
     *     during startup, or if CQL does not answer within the startup timeout (the process is then
     *     stopped); the message carries the tail of its logs
     */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("Cassandra is already running (pid " + process.pid() + ")");
        }
        // It may have died on its own (crash, kill -9) since the last start.
        process = null;
        unregisterShutdownHook();
        stopLeftover();
        requirePortFree(settings.nativePort(), "CQL port (nativePort)");
        requirePortFree(settings.storagePort(), "storage port (storagePort)");
        CassandraFiles.write(settings);

        List<String> command = CassandraCommandLine.command(settings);
        Instant launched = Instant.now();
        appendToStdoutLog("==== LocalCassandra launching at " + launched + "\n" + String.join(" ", command) + "\n");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(settings.dataDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.stdoutLog().toFile()));
        // As cassandra-env.sh does: fewer glibc arenas, far less native memory.
        builder.environment().put("MALLOC_ARENA_MAX", "4");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command.get(0), e);
        }
        writePidFile(process.pid());
        if (settings.stopOnJvmExit()) {
            registerShutdownHook();
        }
        awaitCql(launched);
        log.info("Cassandra answering CQL on {}:{} (pid {}, data {}) after {} ms", HOST, settings.nativePort(),
                process.pid(), settings.dataDir(), Duration.between(launched, Instant.now()).toMillis());
    }

    private void awaitCql(Instant launched) {
        Instant deadline = launched.plus(settings.startupTimeout());
        while (true) {
            Process running = process;
            if (running == null) {
                throw new IllegalStateException("Cassandra was stopped while starting (JVM shutting down?)");
            }
            if (!running.isAlive()) {
                int exit = running.exitValue();
                process = null;
                deletePidFile();
                unregisterShutdownHook();
                throw new IllegalStateException("Cassandra exited during startup with code " + exit
                        + " (data " + settings.dataDir() + ")\n" + logTail());
            }
            if (CqlProbe.answers(HOST, settings.nativePort())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                String tail = logTail();
                stop();
                throw new IllegalStateException("Cassandra did not answer CQL on " + HOST + ":"
                        + settings.nativePort() + " within " + settings.startupTimeout().toSeconds()
                        + " s; stopped it\n" + tail);
            }
            try {
                // Polling an external process: nothing to be notified by.
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while waiting for Cassandra to start", e);
            }
        }
    }

    /** SIGTERM (Cassandra drains and exits), then SIGKILL after 60 s. No-op if not running. */
    public synchronized void stop() {
        unregisterShutdownHook();
        terminate();
    }

    private void terminate() {
        Process running = process;
        if (running == null) {
            return;
        }
        try {
            if (running.isAlive()) {
                long begun = System.nanoTime();
                running.destroy();
                if (!running.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                    log.warn("Cassandra (pid {}) ignored SIGTERM for {} s; killing it", running.pid(),
                            STOP_GRACE.toSeconds());
                    running.destroyForcibly();
                    running.waitFor(10, TimeUnit.SECONDS);
                }
                log.info("Cassandra (pid {}) stopped in {} ms", running.pid(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun));
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            process = null;
            deletePidFile();
        }
    }

    /**
     * The Cassandra an earlier run left on this data directory (its PID file names a live process whose command
     * line names this directory), if any. Its launcher may have been killed before it could stop it.
     */
    public static Optional<ProcessHandle> findRunning(CassandraSettings settings) {
        return findRunning(settings.dataDir());
    }

    /** As {@link #findRunning(CassandraSettings)}, for the node whose data directory is {@code dataDir}. */
    public static Optional<ProcessHandle> findRunning(Path dataDir) {
        return ProcessIdentity.readPid(CassandraSettings.pidFile(dataDir))
                .flatMap(pid -> ProcessIdentity.find(pid, CassandraSettings.identityArgument(dataDir)));
    }

    /**
     * Stops the Cassandra an earlier run left on this data directory, unless the process that started it still
     * runs and watches it (a second server on the same data directory): then the directory is in use.
     */
    private void stopLeftover() {
        Optional<ProcessHandle> leftover = findRunning(settings);
        if (leftover.isEmpty()) {
            deletePidFile();
            return;
        }
        long pid = leftover.get().pid();
        long owner = recordedOwner();
        long parent = leftover.get().parent().map(ProcessHandle::pid).orElse(-1L);
        if (owner > 0 && owner == parent && owner != ProcessHandle.current().pid() && ProcessIdentity.isRunning(owner)) {
            throw new IllegalStateException("the Cassandra data directory " + settings.dataDir()
                    + " is in use by Cassandra pid " + pid + ", started by the running process " + owner
                    + " (another Strand server?). Stop that one, or use another data directory.");
        }
        log.warn("stopping Cassandra pid {} left running on {} by an earlier run whose launcher is gone", pid,
                settings.dataDir());
        if (!ProcessIdentity.stop(leftover.get(), STOP_GRACE)) {
            throw new IllegalStateException("Cassandra pid " + pid + ", left running on " + settings.dataDir()
                    + " by an earlier run, did not stop even on SIGKILL");
        }
        deletePidFile();
    }

    /** The PID file's second field: the JVM the node exits with (0: none). */
    private long recordedOwner() {
        try {
            String[] fields = Files.readString(settings.pidFile()).trim().split("\\s+");
            return fields.length > 1 ? Long.parseLong(fields[1]) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void writePidFile(long pid) {
        long owner = settings.exitWithParent() ? ProcessHandle.current().pid() : 0;
        try {
            Files.writeString(settings.pidFile(), pid + " " + owner + "\n");
        } catch (IOException e) {
            // Only a later start's clean-up needs it; the node itself runs fine without.
            log.warn("cannot write {}: {}", settings.pidFile(), e.toString());
        }
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(settings.pidFile());
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", settings.pidFile(), e.toString());
        }
    }

    /** The process id of the running Cassandra. */
    public long pid() {
        Process running = process;
        if (running == null) {
            throw new IllegalStateException("Cassandra is not running");
        }
        return running.pid();
    }

    public boolean isRunning() {
        Process running = process;
        return running != null && running.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void registerShutdownHook() {
        Thread hook = new Thread(() -> {
            log.info("JVM exiting: stopping Cassandra on port {}", settings.nativePort());
            terminate();
        }, "stop-cassandra-" + settings.nativePort());
        Runtime.getRuntime().addShutdownHook(hook);
        shutdownHook = hook;
    }

    private void unregisterShutdownHook() {
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook == null || hook == Thread.currentThread()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting; the hook runs (or ran) anyway.
        }
    }

    private static void requirePortFree(int port, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
        } catch (IOException e) {
            throw new IllegalStateException(what + " " + HOST + ":" + port + " is already in use (another "
                    + "Cassandra, or a Strand server?). Stop it or choose another port.", e);
        }
    }

    private void appendToStdoutLog(String text) {
        try {
            Files.writeString(settings.stdoutLog(), text, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + settings.stdoutLog(), e);
        }
    }

    /** The last lines of the process output and of Cassandra's own log, for error messages. */
    String logTail() {
        return "---- tail of " + settings.stdoutLog() + "\n" + tail(settings.stdoutLog(), 8 * 1024)
                + "\n---- tail of " + settings.systemLog() + "\n" + tail(settings.systemLog(), 8 * 1024);
    }

    static String tail(Path file, int maxBytes) {
        if (!Files.isRegularFile(file)) {
            return "(no file)";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - maxBytes);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    /**
     * The directory holding Cassandra's runtime jars: {@value #LIB_PROPERTY}, else ${@value #LIB_ENV},
     * else cassandra-dist/target/cassandra/lib in the working directory or one of its parents.
     */
    public static Path locateLibDir() {
        Optional<String> configured = setting(LIB_PROPERTY, LIB_ENV);
        if (configured.isPresent()) {
            Path dir = Paths.get(configured.get()).toAbsolutePath().normalize();
            if (!isCassandraLib(dir)) {
                throw new IllegalStateException(dir + " (from " + LIB_PROPERTY + "/" + LIB_ENV
                        + ") holds no cassandra-all-*.jar. " + buildHint());
            }
            return dir;
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(LIB_IN_CHECKOUT);
            if (isCassandraLib(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cassandra's jars were not found: no " + LIB_IN_CHECKOUT
                + " above " + Paths.get("").toAbsolutePath() + ". " + buildHint());
    }

    private static String buildHint() {
        return "Build them at the root of the Strand checkout with `mvn -pl cassandra-dist generate-resources`, "
                + "or set -D" + LIB_PROPERTY + " / " + LIB_ENV + " to a directory with Cassandra 5.0's jars.";
    }

    private static boolean isCassandraLib(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().matches("cassandra-all-.*\\.jar"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A Java 17 to run Cassandra with: {@value #JAVA_HOME_PROPERTY}, else ${@value #JAVA_HOME_ENV}, else
     * this JVM if it is a 17, else the first JDK 17 under /usr/lib/jvm.
     */
    public static Path locateJavaHome() {
        Optional<String> configured = setting(JAVA_HOME_PROPERTY, JAVA_HOME_ENV);
        if (configured.isPresent()) {
            Path home = Paths.get(configured.get()).toAbsolutePath().normalize();
            if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
                throw new IllegalStateException(home + " (from " + JAVA_HOME_PROPERTY + "/" + JAVA_HOME_ENV
                        + ") has no bin/java");
            }
            return home;
        }
        if (Runtime.version().feature() == REQUIRED_JAVA_FEATURE) {
            return Paths.get(System.getProperty("java.home"));
        }
        if (Files.isDirectory(JVM_DIR)) {
            try (Stream<Path> homes = Files.list(JVM_DIR)) {
                Optional<Path> found = homes.sorted()
                        .filter(home -> Files.isExecutable(home.resolve("bin").resolve("java")))
                        .filter(home -> javaFeatureVersion(home) == REQUIRED_JAVA_FEATURE)
                        .findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + JVM_DIR, e);
            }
        }
        throw new IllegalStateException("Cassandra 5.0 needs Java " + REQUIRED_JAVA_FEATURE + " (it fails on newer "
                + "ones); this JVM is " + Runtime.version().feature() + " and none was found in " + JVM_DIR
                + ". Set -D" + JAVA_HOME_PROPERTY + " or " + JAVA_HOME_ENV + " to a Java 17 home.");
    }

    /** The feature version in a JDK's {@code release} file (JAVA_VERSION="17.0.15"), or -1. */
    static int javaFeatureVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(release)) {
            return lines.filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", "").trim())
                    .map(version -> version.split("[.+-]")[0])
                    .filter(feature -> feature.matches("\\d+"))
                    .map(Integer::parseInt)
                    .findFirst()
                    .orElse(-1);
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static Optional<String> setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
