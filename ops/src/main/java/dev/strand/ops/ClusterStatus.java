package dev.strand.ops;

import dev.strand.ops.management.ManagementProbe;
import dev.strand.persistence.cassandra.ProcessIdentity;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code strand cluster status}: each node's address, PID, state and view of the cluster, from its /ready. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each node: client address, PID, whether it runs and answers, and its view of the cluster.")
final class ClusterStatus implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ClusterDirectory place = new ClusterDirectory();

    @Override
    public Integer call() {
        List<NodeRecord> nodes = place.nodes();
        if (nodes.isEmpty()) {
            System.out.println("no cluster recorded in " + place.dir);
            return 0;
        }
        Optional<Long> cassandra = ProcessIdentity.readPid(place.cassandraPidFile());
        System.out.println("Cassandra: " + cassandra.map(pid -> "pid " + pid
                + (ClusterCassandra.running(place).isPresent() ? " (running)" : " (not running)"))
                .orElse("not started by this command"));
        ClusterSupervisor.printStatus(place);
        System.out.printf("%-5s %-16s %-16s %-8s %-10s %-22s %s%n", "node", "client", "management", "pid",
                "state", "server id", "cluster members (its view)");
        boolean allReady = true;
        for (NodeRecord node : nodes) {
            Optional<ManagementProbe> probe = place.management(node.node());
            String state;
            String serverId = "-";
            String members = "-";
            if (!place.running(node)) {
                state = "stopped";
            } else if (probe.isEmpty()) {
                state = "running"; // started without a management port: nothing to ask
            } else {
                // /ready: member Up, volume registry answered, Cassandra answers, client port listens
                state = switch (probe.get().readiness()) {
                    case READY -> "ready";
                    case NOT_READY -> "starting";
                    case NO_ANSWER -> "no answer";
                };
                serverId = probe.get().selfNode().orElse("-");
                members = probe.get().membership().orElse("-");
            }
            allReady &= state.equals("ready");
            System.out.printf("%-5d %-16s %-16s %-8d %-10s %-22s %s%n", node.node(), node.clientAddress(),
                    probe.map(ManagementProbe::address).orElse("-"), node.pid(), state, serverId, members);
        }
        return allReady ? 0 : 1;
    }
}
