package dev.strand.ops;

import dev.strand.ops.management.ManagementProbe;
import dev.strand.persistence.cassandra.LocalCassandra;
import dev.strand.persistence.cassandra.ProcessIdentity;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The cluster directory ({@code --dir}, an option every {@code strand cluster} subcommand shares as a mixin) and
 * the files in it: PIDs, command lines, logs, nodes.tsv, Cassandra's data, and the lock that orders changes.
 */
class ClusterDirectory {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "./data/cluster",
            description = "Directory for PIDs, logs and Cassandra's data (default: ${DEFAULT-VALUE}).")
    Path dir;

    Path cassandraPidFile() {
        return dir.resolve("cassandra.pid");
    }

    Path nodesFile() {
        return dir.resolve("nodes.tsv");
    }

    /** Replaces nodes.tsv at once (a new file moved over it), so a reader never sees it empty or half written. */
    void writeNodes(List<NodeRecord> nodes) throws IOException {
        Path next = dir.resolve("nodes.tsv.next");
        Files.write(next, nodes.stream().map(NodeRecord::line).toList());
        Files.move(next, nodesFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    Path nodePidFile(int node) {
        return dir.resolve("node-" + node + ".pid");
    }

    Path nodeArgsFile(int node) {
        return dir.resolve("node-" + node + ".args");
    }

    Path nodeLog(int node) {
        return dir.resolve("node-" + node + ".log");
    }

    /** The node's management endpoint, from the command line it was started with (node-i.args). */
    Optional<ManagementProbe> management(int node) {
        try {
            List<String> args = Files.exists(nodeArgsFile(node)) ? Files.readAllLines(nodeArgsFile(node)) : List.of();
            int at = args.indexOf(NodeProcesses.MANAGEMENT_PORT_OPTION);
            return at >= 0 && at + 1 < args.size()
                    ? Optional.of(new ManagementProbe(LocalCassandra.HOST, Integer.parseInt(args.get(at + 1))))
                    : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The directory, absolute: what the processes' identity arguments name. */
    Path home() {
        return dir.toAbsolutePath().normalize();
    }

    Path cassandraDir() {
        return home().resolve("cassandra");
    }

    Path cassandraPortsFile() {
        return dir.resolve("cassandra.properties");
    }

    Path supervisorPidFile() {
        return dir.resolve("supervisor.pid");
    }

    Path supervisorLog() {
        return dir.resolve("supervisor.log");
    }

    Path restartsFile() {
        return dir.resolve("restarts.tsv");
    }

    /**
     * The argument on node I's command line that tells it from any other process: a recorded PID may since
     * name another process, and only this node of this cluster has this argument.
     */
    String nodeIdentity(int node) {
        return "-Dstrand.cluster.node=" + home() + "#" + node;
    }

    /** Whether the node's recorded PID still names that node, running. */
    boolean running(NodeRecord node) {
        return ProcessIdentity.find(node.pid(), nodeIdentity(node.node())).isPresent();
    }

    /**
     * Runs {@code action} holding the cluster directory's lock, so that `strand cluster start` and the
     * supervisor never both start the same process.
     */
    <T> T locked(Callable<T> action) throws Exception {
        Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve("cluster.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            return action.call();
        }
    }

    List<NodeRecord> nodes() {
        if (!Files.exists(nodesFile())) {
            return List.of();
        }
        try {
            return Files.readAllLines(nodesFile()).stream().filter(l -> !l.isBlank()).map(NodeRecord::parse)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a file if there; a failure is no reason to stop. */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover PID file is harmless: the next `up` checks whether the process lives
        }
    }
}
