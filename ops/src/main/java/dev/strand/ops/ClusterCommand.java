package dev.strand.ops;

import picocli.CommandLine.Command;

import java.time.Duration;

/**
 * {@code strand cluster up N | status | start | down}: a local cluster for trying things out and for tests. One
 * Cassandra process and N {@code strand server} processes on 127.0.0.1, each a process of its own that outlives
 * this command, and a supervisor ({@link ClusterSupervisor}) that starts again whatever of them dies; their PIDs,
 * logs and the Cassandra data live under the cluster directory ({@link ClusterDirectory}).
 *
 * <p>Each subcommand is a class of its own: {@link ClusterUp}, {@link ClusterStatus}, {@link ClusterStart},
 * {@link ClusterDown} and the hidden {@link ClusterSupervisor}; {@link NodeProcesses} launches the nodes.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Run a local multi-node cluster: one Cassandra and N server processes on 127.0.0.1.",
                "Node i serves clients on 127.0.0.1:(7411+i-1) and talks to the other nodes on "
                        + "127.0.0.1:(25520+i-1); nodes 1 to 3 are the seeds. A supervisor starts again whatever dies. "
                        + "Health and metrics: http://127.0.0.1:(7626+i-1)/ready and /metrics. "
                        + "Logs: DIR/node-i.log, DIR/supervisor.log; PIDs: DIR/*.pid."},
        subcommands = {ClusterUp.class, ClusterStatus.class, ClusterStart.class, ClusterDown.class,
                ClusterSupervisor.class})
public final class ClusterCommand {
    static final int MAX_NODES = 5;
    /** A node gets this SIGTERM grace to leave the cluster and close its connections before SIGKILL. */
    static final Duration NODE_STOP_GRACE = Duration.ofSeconds(30);
}
