package dev.strand.it.support;

import dev.strand.persistence.cassandra.CassandraSettings;
import dev.strand.persistence.cassandra.LocalCassandra;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One real Cassandra for the whole test run (one per failsafe JVM), started on first use in a freshly
 * wiped target/it-cassandra, on ports that do not clash with a developer's running Strand (19042).
 * Stopped when the JUnit session ends ({@link SharedCassandraSessionListener}) or, failing that, by a
 * JVM shutdown hook.
 *
 * <p>Test classes share the node, so each should use its own keyspaces ({@link #uniqueKeyspace}) and
 * its own volume and blob ids.
 */
public final class SharedCassandra {

    /** Overridable (-Dstrand.it.cassandra.port / .storage-port) so that two runs can share a machine. */
    public static final int CQL_PORT = Integer.getInteger("strand.it.cassandra.port", 29042);
    public static final int STORAGE_PORT = Integer.getInteger("strand.it.cassandra.storage-port", 27000);
    /** Set by the failsafe configuration; the fallback suits a run from the module directory. */
    static final String DIR_PROPERTY = "strand.it.cassandra.dir";
    private static final String DIR_NAME = "it-cassandra";

    private static final AtomicInteger keyspaceCounter = new AtomicInteger();
    private static LocalCassandra cassandra;
    private static RuntimeException startFailure;

    private SharedCassandra() {}

    /** The CQL host; starts Cassandra if needed. */
    public static String host() {
        return ensureStarted().host();
    }

    /** The CQL port; starts Cassandra if needed. */
    public static int port() {
        return ensureStarted().port();
    }

    /** The settings of the shared node (data directory, lib dir, Java home...); starts it if needed. */
    public static CassandraSettings settings() {
        return ensureStarted().settings();
    }

    /** HOCON that points strand-persistence.conf (Pekko Persistence) at the shared node. */
    public static String persistenceConfig() {
        LocalCassandra node = ensureStarted();
        return "strand.cassandra { host = \"" + node.host() + "\", port = " + node.port() + " }\n";
    }

    /** A keyspace name no other test of this run uses: {@code prefix_<n>}. */
    public static String uniqueKeyspace(String prefix) {
        return prefix + "_" + keyspaceCounter.incrementAndGet();
    }

    private static synchronized LocalCassandra ensureStarted() {
        if (cassandra != null) {
            return cassandra;
        }
        if (startFailure != null) {
            // Do not pay the startup timeout again for every test class.
            throw new IllegalStateException("the shared Cassandra failed to start earlier in this run", startFailure);
        }
        try {
            Path dir = directory();
            wipe(dir);
            LocalCassandra node = new LocalCassandra(CassandraSettings.builder(dir)
                    .nativePort(CQL_PORT)
                    .storagePort(STORAGE_PORT)
                    .stopOnJvmExit(true)
                    .build());
            node.start();
            cassandra = node;
            return node;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    /** Stops the node if it runs; a later use starts a fresh one. */
    static synchronized void stop() {
        if (cassandra != null) {
            try {
                cassandra.stop();
            } finally {
                cassandra = null;
            }
        }
    }

    private static Path directory() {
        String configured = System.getProperty(DIR_PROPERTY);
        Path dir = configured != null ? Paths.get(configured) : Paths.get("target", DIR_NAME);
        return dir.toAbsolutePath().normalize();
    }

    private static void wipe(Path dir) {
        if (!dir.getFileName().toString().equals(DIR_NAME)) {
            // Guard against a misconfigured property pointing the recursive delete somewhere precious.
            throw new IllegalStateException("refusing to wipe " + dir + ": its name must be " + DIR_NAME);
        }
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot wipe " + dir, e);
        }
    }
}
