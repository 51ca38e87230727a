package dev.strand.ops;

import dev.strand.persistence.cassandra.LocalCassandra;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code strand cluster up N}: starts Cassandra (unless given one) and N nodes, then the supervisor. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start Cassandra and N nodes (1..5); returns once every node serves clients.")
final class ClusterUp implements Callable<Integer> {
    /** JVM options for every node, e.g. STRAND_JAVA_OPTS="-XX:+UseZGC" (recorded by `up` in node-i.args). */
    static final String JAVA_OPTS_ENV = "STRAND_JAVA_OPTS";

    @Parameters(paramLabel = "N", description = "Number of nodes (1..5).")
    int count;

    @picocli.CommandLine.Mixin
    ClusterDirectory place = new ClusterDirectory();

    @Option(names = "--client-port", defaultValue = "7411",
            description = "Client port of node 1; node i uses this + i - 1 (default: ${DEFAULT-VALUE}).")
    int clientPort;

    @Option(names = "--cluster-port", defaultValue = "25520",
            description = "Cluster port of node 1; node i uses this + i - 1 (default: ${DEFAULT-VALUE}).")
    int clusterPort;

    @Option(names = NodeProcesses.MANAGEMENT_PORT_OPTION, defaultValue = "7626",
            description = "Management (HTTP: /ready, /metrics) port of node 1; node i uses this + i - 1 "
                    + "(default: ${DEFAULT-VALUE}).")
    int managementPort;

    @Option(names = "--cassandra-port", defaultValue = "19042",
            description = "CQL port of the cluster's Cassandra (default: ${DEFAULT-VALUE}).")
    int cassandraPort;

    @Option(names = "--cassandra-storage-port", defaultValue = "17000",
            description = "Storage port of the cluster's Cassandra (default: ${DEFAULT-VALUE}).")
    int cassandraStoragePort;

    @Option(names = "--cassandra", paramLabel = "HOST:PORT",
            description = "Use this running Cassandra instead of starting one.")
    String cassandra;

    @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = "strand",
            description = "Keyspace prefix of the cluster's data (default: ${DEFAULT-VALUE}).")
    String keyspace;

    @Option(names = "--heap", defaultValue = "512m",
            description = "Java heap of each node (default: ${DEFAULT-VALUE}).")
    String heap;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > ClusterCommand.MAX_NODES) {
            System.err.println("strand cluster up: N must be 1.." + ClusterCommand.MAX_NODES + ", got " + count);
            return 2;
        }
        List<NodeRecord> running = place.nodes().stream().filter(place::running).toList();
        if (!running.isEmpty()) {
            System.err.println("strand cluster up: a cluster is already running from " + place.dir
                    + " (node PIDs " + running.stream().map(n -> String.valueOf(n.pid())).toList()
                    + "); run `strand cluster down` first");
            return 1;
        }
        Files.createDirectories(place.dir);
        ClusterSupervisor.stop(place); // one left from an earlier cluster in this directory
        Files.deleteIfExists(place.restartsFile());
        String cassandraAddress;
        if (cassandra != null) {
            cassandraAddress = cassandra;
            Files.deleteIfExists(place.cassandraPortsFile()); // not this cluster's to start again
        } else {
            startCassandra();
            cassandraAddress = LocalCassandra.HOST + ":" + cassandraPort;
        }

        List<String> seeds = new ArrayList<>();
        for (int i = 1; i <= Math.min(count, 3); i++) {
            seeds.add("127.0.0.1:" + (clusterPort + i - 1));
        }
        List<NodeRecord> nodes = new ArrayList<>();
        try {
            // Node 1 first: it forms the cluster (and creates the journal's tables) before the others join.
            nodes.add(startNode(1, seeds, cassandraAddress));
            writeNodes(nodes); // so that `down` finds even a half-started cluster
            awaitReady(nodes.get(0));
            for (int i = 2; i <= count; i++) {
                nodes.add(startNode(i, seeds, cassandraAddress));
                writeNodes(nodes);
            }
            for (NodeRecord node : nodes.subList(1, nodes.size())) {
                awaitReady(node);
            }
            ClusterSupervisor.launch(place);
        } catch (IllegalStateException e) {
            System.err.println("strand cluster up: " + e.getMessage());
            System.err.println("stopping what was started; see the logs in " + place.dir);
            ClusterDown.stopAll(place);
            return 1;
        }
        System.out.println("Strand cluster of " + count + " node" + (count == 1 ? "" : "s")
                + " is up (Cassandra on " + cassandraAddress + ", files in " + place.dir + "):");
        NodeProcesses.printTable(place, nodes);
        System.out.println("Any node serves every volume (e.g. --server " + nodes.get(0).clientAddress()
                + "); `strand cluster status` shows the nodes, `strand cluster down` stops them. A supervisor"
                + " (log: " + place.supervisorLog() + ") starts again whatever dies.");
        return 0;
    }

    private void startCassandra() throws IOException {
        ClusterCassandra.Ports ports = new ClusterCassandra.Ports(cassandraPort, cassandraStoragePort);
        ClusterCassandra.record(place, ports);
        Optional<ProcessHandle> running = ClusterCassandra.running(place);
        if (running.isPresent() && listens(LocalCassandra.HOST, cassandraPort)) {
            System.out.println("Cassandra already runs (pid " + running.get().pid() + ")");
            return;
        }
        ClusterCassandra.start(place, ports);
    }

    private NodeRecord startNode(int node, List<String> seeds, String cassandraAddress) throws IOException {
        int client = clientPort + node - 1;
        int cluster = clusterPort + node - 1;
        List<String> jvmAndServerArgs = new ArrayList<>();
        jvmAndServerArgs.add("-Xmx" + heap);
        String javaOpts = System.getenv(JAVA_OPTS_ENV);
        if (javaOpts != null && !javaOpts.isBlank()) {
            jvmAndServerArgs.addAll(List.of(javaOpts.trim().split("\\s+")));
        }
        jvmAndServerArgs.add(place.nodeIdentity(node));
        String lib = System.getProperty(LocalCassandra.LIB_PROPERTY);
        if (lib != null) {
            jvmAndServerArgs.add("-D" + LocalCassandra.LIB_PROPERTY + "=" + lib);
        }
        jvmAndServerArgs.addAll(List.of(StrandMain.class.getName(),
                "server", "--port", String.valueOf(client), "--cluster-port", String.valueOf(cluster),
                NodeProcesses.MANAGEMENT_PORT_OPTION, String.valueOf(managementPort + node - 1),
                "--seed-nodes", String.join(",", seeds),
                "--cassandra", cassandraAddress, "--keyspace", keyspace));
        // Kept so that `strand cluster start I` can start the node again exactly so.
        Files.write(place.nodeArgsFile(node), jvmAndServerArgs);
        Files.deleteIfExists(place.nodeLog(node));
        long pid = NodeProcesses.launch(place, node, jvmAndServerArgs).pid();
        System.out.println("started node " + node + " (pid " + pid + ")");
        return new NodeRecord(node, client, cluster, pid);
    }

    private void writeNodes(List<NodeRecord> nodes) throws IOException {
        place.writeNodes(nodes);
    }

    private void awaitReady(NodeRecord node) {
        NodeProcesses.awaitReady(place, node);
    }

    private static boolean listens(String host, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
