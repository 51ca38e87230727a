package dev.strand.ops;

import dev.strand.ops.management.ManagementProbe;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node processes of a {@code strand cluster}: launching one (again) as a process that outlives the command,
 * waiting until it is ready, and the table of nodes that `up` and `start` print.
 */
final class NodeProcesses {
    /** The option of a node's command line that names its management port (read back from node-i.args). */
    static final String MANAGEMENT_PORT_OPTION = "--management-port";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** Written to a node's log before each launch: its ready line is the one after the latest of these. */
    private static final String LAUNCH_LINE = "==== strand cluster: launching node ";

    private NodeProcesses() {}

    /**
     * Launches a recorded node again with its recorded command line, and records its new PID; the caller holds
     * the cluster's lock. Returns the process (its exit code is known only to this JVM).
     */
    static Process relaunch(ClusterDirectory place, NodeRecord recorded) throws IOException {
        Process process = launch(place, recorded.node(), Files.readAllLines(place.nodeArgsFile(recorded.node())));
        NodeRecord started = new NodeRecord(recorded.node(), recorded.clientPort(), recorded.clusterPort(),
                process.pid());
        List<NodeRecord> nodes = new ArrayList<>(place.nodes());
        nodes.replaceAll(n -> n.node() == started.node() ? started : n);
        place.writeNodes(nodes);
        System.out.println("started node " + started.node() + " (pid " + started.pid() + ")");
        return process;
    }

    /** Launches a node process that outlives this command; its output is appended to its log. */
    static Process launch(ClusterDirectory place, int node, List<String> jvmAndServerArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.addAll(jvmAndServerArgs);
        Files.writeString(place.nodeLog(node), LAUNCH_LINE + node + " at " + java.time.Instant.now() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(place.nodeLog(node).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Files.writeString(place.nodePidFile(node), process.pid() + "\n");
        return process;
    }

    /** Waits until the node's /ready answers 200 (member Up, registry, Cassandra, client port). */
    static void awaitReady(ClusterDirectory place, NodeRecord node) {
        Optional<ManagementProbe> probe = place.management(node.node());
        if (probe.isEmpty()) {
            throw new IllegalStateException("node " + node.node() + " has no " + MANAGEMENT_PORT_OPTION + " in "
                    + place.nodeArgsFile(node.node()) + " (started by an older strand?): run `strand cluster down` "
                    + "and `up` again");
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (probe.get().readiness() == ManagementProbe.Readiness.READY) {
                return;
            }
            if (!place.running(node)) {
                throw new IllegalStateException("node " + node.node() + " exited while starting; see "
                        + place.nodeLog(node.node()));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + node.node() + " was not ready within "
                        + READY_TIMEOUT.toSeconds() + " s; see " + place.nodeLog(node.node()));
            }
            try {
                // Polling another process's endpoint: nothing to be notified by.
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    static void printTable(ClusterDirectory place, List<NodeRecord> nodes) {
        System.out.printf("%-5s %-16s %-16s %-16s %s%n", "node", "client", "cluster", "management", "pid");
        for (NodeRecord node : nodes) {
            System.out.printf("%-5d %-16s %-16s %-16s %d%n", node.node(), node.clientAddress(),
                    "127.0.0.1:" + node.clusterPort(),
                    place.management(node.node()).map(ManagementProbe::address).orElse("-"), node.pid());
        }
    }
}
