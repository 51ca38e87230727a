package dev.strand.ops;

import dev.strand.ops.management.ManagementSettings;
import dev.strand.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code strand server}: runs a Strand node in the foreground until Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {
                "Run a Strand server in the foreground until Ctrl-C.",
                "By default it starts its own local Cassandra (data under --data) and serves clients on "
                        + "127.0.0.1:7411. Ctrl-C stops the server and the Cassandra it started; if the server is "
                        + "killed, that Cassandra stops by itself.",
                "Exit code 75: the cluster removed (downed) this node; start it again."})
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = {"-p", "--port"}, description = "Client port (default: ${DEFAULT-VALUE}; 0 = any free port).",
            defaultValue = "7411")
    int port;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory for the embedded Cassandra's files (default: ${DEFAULT-VALUE}).",
            defaultValue = "./data")
    Path dataDir;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT",
            description = "Use this running Cassandra instead of starting one.")
    String cassandra;

    @Option(names = "--cassandra-port", paramLabel = "PORT",
            description = "CQL port of the embedded Cassandra (default: ${DEFAULT-VALUE}).", defaultValue = "19042")
    int cassandraPort;

    @Option(names = "--cassandra-storage-port", paramLabel = "PORT",
            description = "Storage port of the embedded Cassandra (default: ${DEFAULT-VALUE}).", defaultValue = "17000")
    int cassandraStoragePort;

    @Option(names = "--cluster-id", description = "Cluster id clients must greet with (default: ${DEFAULT-VALUE}).",
            defaultValue = "strand")
    String clusterId;

    @Option(names = "--keyspace", paramLabel = "NAME",
            description = "Cassandra keyspace for file data; the journal and snapshots use NAME_journal and "
                    + "NAME_snapshot (default: ${DEFAULT-VALUE}).", defaultValue = "strand")
    String keyspace;

    @Option(names = "--cluster-host", paramLabel = "HOST",
            description = "Host of this node's cluster endpoint, as the other nodes reach it "
                    + "(default: $STRAND_CLUSTER_HOST or strand.cluster.host, 127.0.0.1).")
    String clusterHost;

    @Option(names = "--cluster-port", paramLabel = "PORT",
            description = "Port of this node's cluster endpoint (default: strand.cluster.port, 0 = any free port; "
                    + "a seed node needs a fixed one).")
    Integer clusterPort;

    @Option(names = "--seed-nodes", paramLabel = "HOST:PORT,...",
            description = "Cluster nodes to join (default: $STRAND_SEED_NODES or strand.cluster.seed-nodes; "
                    + "none = a cluster of its own). Give every node the same list, this node included if it is a seed.")
    String seedNodes;

    @Option(names = "--management-host", paramLabel = "HOST",
            description = "Address of the HTTP management endpoint: /alive, /ready, /metrics, /cluster/members "
                    + "(default: strand.management.host, 127.0.0.1; it is unauthenticated).")
    String managementHost;

    @Option(names = "--management-port", paramLabel = "PORT",
            description = "Port of the HTTP management endpoint (default: strand.management.port, 7626; "
                    + "0 = any free port).")
    Integer managementPort;

    @Override
    public Integer call() {
        StrandServer.ServerSettings settings = StrandServer.ServerSettings.defaults()
                .withHost(host).withPort(port).withDataDir(dataDir).withClusterId(clusterId)
                .withCassandraPorts(cassandraPort, cassandraStoragePort).withKeyspace(keyspace);
        try {
            String envHost = System.getenv("STRAND_CLUSTER_HOST");
            settings = settings.withCluster(
                    clusterHost != null ? clusterHost
                            : envHost != null && !envHost.isBlank() ? envHost : settings.clusterHost(),
                    clusterPort != null ? clusterPort : settings.clusterPort(),
                    seedNodes != null ? StrandServer.ServerSettings.parseSeedNodes(seedNodes) : settings.seedNodes());
        } catch (IllegalArgumentException e) {
            System.err.println("strand server: --seed-nodes: " + e.getMessage());
            return 2;
        }
        if (cassandra != null) {
            int colon = cassandra.lastIndexOf(':');
            if (colon <= 0) {
                System.err.println("strand server: --cassandra wants HOST:PORT, got '" + cassandra + "'");
                return 2;
            }
            settings = settings.withExternalCassandra(cassandra.substring(0, colon),
                    Integer.parseInt(cassandra.substring(colon + 1)));
        }
        ManagementSettings management = ManagementSettings.defaults();
        management = management.withHost(managementHost != null ? managementHost : management.host())
                .withPort(managementPort != null ? managementPort : management.port());
        StrandServer server;
        try {
            server = StrandServer.start(settings, management);
        } catch (StrandServer.RemovedWhileStarting e) {
            System.err.println("strand server: " + e.getMessage() + "; exiting with code "
                    + ExitCodes.REMOVED_FROM_CLUSTER + " so that a supervisor starts it again");
            return ExitCodes.REMOVED_FROM_CLUSTER;
        } catch (IllegalStateException e) {
            System.err.println("strand server: " + e.getMessage());
            return 1;
        }
        System.out.println("Strand is ready on " + settings.host() + ":" + server.port()
                + " (cluster '" + settings.clusterId() + "', node " + server.settings().serverId()
                + ", health and metrics on http://" + management.host() + ":" + server.managementPort()
                + "). Press Ctrl-C to stop.");
        System.out.flush();
        server.awaitTermination();
        if (server.removedFromCluster()) {
            System.err.println("strand server: the cluster removed this node (downed); exiting with code "
                    + ExitCodes.REMOVED_FROM_CLUSTER + " so that a supervisor starts it again");
            return ExitCodes.REMOVED_FROM_CLUSTER;
        }
        return 0;
    }
}
