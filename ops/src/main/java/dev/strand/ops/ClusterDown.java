package dev.strand.ops;

import dev.strand.persistence.cassandra.ProcessIdentity;
import picocli.CommandLine.Command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code strand cluster down}: stops the supervisor, the nodes, then Cassandra, each only if it is still that process. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop the supervisor, the nodes (SIGTERM, SIGKILL after 30 s), then Cassandra; a recorded PID that "
                + "no longer names that process is left alone. Data stays in DIR.")
final class ClusterDown implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ClusterDirectory place = new ClusterDirectory();

    @Override
    public Integer call() {
        stopAll(place);
        return 0;
    }

    static void stopAll(ClusterDirectory where) {
        // The supervisor first: it would start again what is stopped below.
        ClusterSupervisor.stop(where);
        List<NodeRecord> nodes = new ArrayList<>(where.nodes());
        for (int i = 1; i <= ClusterCommand.MAX_NODES; i++) {
            int node = i;
            // A half-started cluster may have a PID file and no line in nodes.tsv yet.
            ProcessIdentity.readPid(where.nodePidFile(i)).filter(pid -> nodes.stream().noneMatch(n -> n.pid() == pid))
                    .ifPresent(pid -> nodes.add(new NodeRecord(node, 0, 0, pid)));
        }
        for (NodeRecord node : nodes) {
            stop("node " + node.node(), node.pid(), where.nodeIdentity(node.node()), ClusterCommand.NODE_STOP_GRACE);
        }
        for (int i = 1; i <= ClusterCommand.MAX_NODES; i++) {
            ClusterDirectory.deleteQuietly(where.nodePidFile(i));
            ClusterDirectory.deleteQuietly(where.nodeArgsFile(i));
        }
        ClusterDirectory.deleteQuietly(where.nodesFile());
        ClusterCassandra.stop(where);
        ClusterDirectory.deleteQuietly(where.restartsFile());
        System.out.println("cluster stopped (data kept in " + where.dir + ")");
    }

    /**
     * SIGTERM, then SIGKILL after {@code grace}; only if {@code pid} still names that process (its command line
     * holds {@code identity}): a recorded PID may since have been given to an unrelated process.
     */
    static void stop(String what, long pid, String identity, Duration grace) {
        Optional<ProcessHandle> process = ProcessIdentity.find(pid, identity);
        if (process.isEmpty()) {
            if (ProcessIdentity.isRunning(pid)) {
                System.out.println("pid " + pid + " is not " + what + " any more: left alone");
            }
            return;
        }
        System.out.println("stopping " + what + " (pid " + pid + ")");
        if (!ProcessIdentity.stop(process.get(), grace)) {
            System.err.println(what + " (pid " + pid + ") did not stop even on SIGKILL");
        }
    }
}
