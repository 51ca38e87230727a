package dev.strand.ops;

import dev.strand.persistence.cassandra.CassandraSettings;
import dev.strand.persistence.cassandra.LocalCassandra;
import dev.strand.persistence.cassandra.ProcessIdentity;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * The Cassandra that {@code strand cluster up} started for a cluster (data in DIR/cassandra). Its ports are
 * recorded in DIR/cassandra.properties so that {@code cluster start} and the supervisor can start it again; it
 * outlives the command that started it, and is recognised by its data directory on its command line.
 */
final class ClusterCassandra {
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    record Ports(int nativePort, int storagePort) {}

    private ClusterCassandra() {}

    static void record(ClusterDirectory place, Ports ports) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("port", Integer.toString(ports.nativePort()));
        properties.setProperty("storage-port", Integer.toString(ports.storagePort()));
        Files.createDirectories(place.dir);
        try (Writer out = Files.newBufferedWriter(place.cassandraPortsFile())) {
            properties.store(out, "the cluster's own Cassandra (strand cluster up)");
        }
    }

    /** The recorded ports, if the cluster runs a Cassandra of its own (none with `up --cassandra`). */
    static Optional<Ports> recorded(ClusterDirectory place) {
        Path file = place.cassandraPortsFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
            return Optional.of(new Ports(Integer.parseInt(properties.getProperty("port")),
                    Integer.parseInt(properties.getProperty("storage-port"))));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The cluster's Cassandra if it runs: named by DIR/cassandra.pid or by its own PID file, identity checked. */
    static Optional<ProcessHandle> running(ClusterDirectory place) {
        String identity = CassandraSettings.identityArgument(place.cassandraDir());
        return ProcessIdentity.readPid(place.cassandraPidFile()).flatMap(pid -> ProcessIdentity.find(pid, identity))
                .or(() -> LocalCassandra.findRunning(place.cassandraDir()));
    }

    /** Starts it (stopping a leftover that no longer answers) and returns once CQL answers; records its PID. */
    static long start(ClusterDirectory place, Ports ports) {
        System.out.println("starting Cassandra (data in " + place.cassandraDir() + ", CQL port " + ports.nativePort()
                + ")...");
        LocalCassandra cassandra = new LocalCassandra(CassandraSettings.builder(place.cassandraDir())
                .nativePort(ports.nativePort()).storagePort(ports.storagePort())
                // It outlives this command (and the supervisor); `strand cluster down` stops it.
                .stopOnJvmExit(false)
                .exitWithParent(false)
                .build());
        cassandra.start();
        try {
            Files.writeString(place.cassandraPidFile(), cassandra.pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("Cassandra is up (pid " + cassandra.pid() + ")");
        return cassandra.pid();
    }

    static void stop(ClusterDirectory place) {
        running(place).ifPresent(cassandra -> ClusterDown.stop("Cassandra", cassandra.pid(),
                CassandraSettings.identityArgument(place.cassandraDir()), STOP_GRACE));
        ClusterDirectory.deleteQuietly(place.cassandraPidFile());
        ClusterDirectory.deleteQuietly(place.cassandraPortsFile());
    }
}
