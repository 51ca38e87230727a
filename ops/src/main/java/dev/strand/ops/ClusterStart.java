package dev.strand.ops;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Starts again what of the recorded cluster does not run (after a crash or a kill): its Cassandra, node I (or
 * every node) with the same ports and seeds, and the supervisor.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start again what of the cluster does not run: its Cassandra, node I (every node if I is "
                + "omitted; same ports, seeds and Cassandra) and the supervisor; returns once the nodes serve.")
final class ClusterStart implements Callable<Integer> {
    @Parameters(paramLabel = "I", arity = "0..1",
            description = "The node's number, as `strand cluster status` shows it (default: every node).")
    Integer node;

    @picocli.CommandLine.Mixin
    ClusterDirectory place = new ClusterDirectory();

    @Override
    public Integer call() throws Exception {
        List<Integer> wanted = place.nodes().stream().map(NodeRecord::node)
                .filter(n -> node == null || n.equals(node)).toList();
        if (wanted.isEmpty() || !wanted.stream().allMatch(n -> Files.exists(place.nodeArgsFile(n)))) {
            System.err.println("strand cluster start: no " + (node == null ? "cluster" : "node " + node)
                    + " recorded in " + place.dir);
            return 2;
        }
        try {
            place.locked(() -> {
                if (ClusterCassandra.recorded(place).isPresent() && ClusterCassandra.running(place).isEmpty()) {
                    ClusterCassandra.start(place, ClusterCassandra.recorded(place).get());
                }
                for (NodeRecord recorded : place.nodes()) {
                    if (!wanted.contains(recorded.node())) {
                        continue;
                    }
                    if (place.running(recorded)) {
                        System.out.println("node " + recorded.node() + " already runs (pid " + recorded.pid() + ")");
                    } else {
                        NodeProcesses.relaunch(place, recorded);
                    }
                }
                return null;
            });
            for (NodeRecord started : place.nodes()) {
                if (wanted.contains(started.node())) {
                    NodeProcesses.awaitReady(place, started);
                }
            }
        } catch (IllegalStateException e) {
            System.err.println("strand cluster start: " + e.getMessage());
            return 1;
        }
        if (ClusterSupervisor.running(place).isEmpty()) {
            ClusterSupervisor.launch(place);
        }
        NodeProcesses.printTable(place, place.nodes().stream().filter(n -> wanted.contains(n.node())).toList());
        return 0;
    }
}
