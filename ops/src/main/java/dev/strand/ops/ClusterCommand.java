package dev.strand.ops;

import dev.strand.actors.cluster.ClusterMembershipLog;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.client.StrandClient;
import dev.strand.ops.management.ManagementProbe;
import dev.strand.persistence.cassandra.CassandraSettings;
import dev.strand.persistence.cassandra.LocalCassandra;
import dev.strand.persistence.cassandra.ProcessIdentity;
import dev.strand.protocol.message.HelloReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code strand cluster up N | status | start | down}: a local cluster for trying things out and for tests. One
 * Cassandra process and N {@code strand server} processes on 127.0.0.1, each a process of its own that outlives
 * this command, and a supervisor ({@link ClusterSupervisor}) that starts again whatever of them dies; their PIDs,
 * logs and the Cassandra data live under the cluster directory.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Run a local multi-node cluster: one Cassandra and N server processes on 127.0.0.1.",
                "Node i serves clients on 127.0.0.1:(7411+i-1) and talks to the other nodes on "
                        + "127.0.0.1:(25520+i-1); nodes 1 to 3 are the seeds. A supervisor starts again whatever dies. "
                        + "Health and metrics: http://127.0.0.1:(7626+i-1)/ready and /metrics. "
                        + "Logs: DIR/node-i.log, DIR/supervisor.log; PIDs: DIR/*.pid."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Start.class,
                ClusterDown.class, ClusterSupervisor.class})
public final class ClusterCommand {
    static final int MAX_NODES = 5;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final String MANAGEMENT_PORT_OPTION = "--management-port";
    /** Written to a node's log before each launch: its ready line is the one after the latest of these. */
    private static final String LAUNCH_LINE = "==== strand cluster: launching node ";
    /** A node gets this SIGTERM grace to leave the cluster and close its connections before SIGKILL. */
    static final Duration NODE_STOP_GRACE = Duration.ofSeconds(30);
    /** JVM options for every node, e.g. STRAND_JAVA_OPTS="-XX:+UseZGC" (recorded by `up` in node-i.args). */
    static final String JAVA_OPTS_ENV = "STRAND_JAVA_OPTS";

    /** Options every subcommand shares. */
    static class Place {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "./data/cluster",
                description = "Directory for PIDs, logs and Cassandra's data (default: ${DEFAULT-VALUE}).")
        Path dir;

        Path cassandraPidFile() {
            return dir.resolve("cassandra.pid");
        }

        Path nodesFile() {
            return dir.resolve("nodes.tsv");
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
                int at = args.indexOf(MANAGEMENT_PORT_OPTION);
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
    }

    /** One line of nodes.tsv. */
    record NodeRecord(int node, int clientPort, int clusterPort, long pid) {
        static NodeRecord parse(String line) {
            String[] f = line.split("\t");
            return new NodeRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Long.parseLong(f[3]));
        }

        String line() {
            return node + "\t" + clientPort + "\t" + clusterPort + "\t" + pid;
        }

        String clientAddress() {
            return "127.0.0.1:" + clientPort;
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start Cassandra and N nodes (1..5); returns once every node serves clients.")
    static final class Up implements Callable<Integer> {
        @Parameters(paramLabel = "N", description = "Number of nodes (1..5).")
        int count;

        @picocli.CommandLine.Mixin
        Place place = new Place();

        @Option(names = "--client-port", defaultValue = "7411",
                description = "Client port of node 1; node i uses this + i - 1 (default: ${DEFAULT-VALUE}).")
        int clientPort;

        @Option(names = "--cluster-port", defaultValue = "25520",
                description = "Cluster port of node 1; node i uses this + i - 1 (default: ${DEFAULT-VALUE}).")
        int clusterPort;

        @Option(names = MANAGEMENT_PORT_OPTION, defaultValue = "7626",
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
            if (count < 1 || count > MAX_NODES) {
                System.err.println("strand cluster up: N must be 1.." + MAX_NODES + ", got " + count);
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
            printTable(place, nodes);
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
                    MANAGEMENT_PORT_OPTION, String.valueOf(managementPort + node - 1),
                    "--seed-nodes", String.join(",", seeds),
                    "--cassandra", cassandraAddress, "--keyspace", keyspace));
            // Kept so that `strand cluster start I` can start the node again exactly so.
            Files.write(place.nodeArgsFile(node), jvmAndServerArgs);
            Files.deleteIfExists(place.nodeLog(node));
            long pid = launch(place, node, jvmAndServerArgs).pid();
            System.out.println("started node " + node + " (pid " + pid + ")");
            return new NodeRecord(node, client, cluster, pid);
        }

        private void writeNodes(List<NodeRecord> nodes) throws IOException {
            Files.write(place.nodesFile(), nodes.stream().map(NodeRecord::line).toList());
        }

        private void awaitReady(NodeRecord node) throws IOException {
            ClusterCommand.awaitReady(place, node);
        }
    }

    /**
     * Starts again what of the recorded cluster does not run (after a crash or a kill): its Cassandra, node I (or
     * every node) with the same ports and seeds, and the supervisor.
     */
    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start again what of the cluster does not run: its Cassandra, node I (every node if I is "
                    + "omitted; same ports, seeds and Cassandra) and the supervisor; returns once the nodes serve.")
    static final class Start implements Callable<Integer> {
        @Parameters(paramLabel = "I", arity = "0..1",
                description = "The node's number, as `strand cluster status` shows it (default: every node).")
        Integer node;

        @picocli.CommandLine.Mixin
        Place place = new Place();

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
                            relaunch(place, recorded);
                        }
                    }
                    return null;
                });
                for (NodeRecord started : place.nodes()) {
                    if (wanted.contains(started.node())) {
                        awaitReady(place, started);
                    }
                }
            } catch (IllegalStateException e) {
                System.err.println("strand cluster start: " + e.getMessage());
                return 1;
            }
            if (ClusterSupervisor.running(place).isEmpty()) {
                ClusterSupervisor.launch(place);
            }
            printTable(place, place.nodes().stream().filter(n -> wanted.contains(n.node())).toList());
            return 0;
        }
    }

    /**
     * Launches a recorded node again with its recorded command line, and records its new PID; the caller holds
     * the cluster's lock. Returns the process (its exit code is known only to this JVM).
     */
    static Process relaunch(Place place, NodeRecord recorded) throws IOException {
        Process process = launch(place, recorded.node(), Files.readAllLines(place.nodeArgsFile(recorded.node())));
        NodeRecord started = new NodeRecord(recorded.node(), recorded.clientPort(), recorded.clusterPort(),
                process.pid());
        List<NodeRecord> nodes = new ArrayList<>(place.nodes());
        nodes.replaceAll(n -> n.node() == started.node() ? started : n);
        Files.write(place.nodesFile(), nodes.stream().map(NodeRecord::line).toList());
        System.out.println("started node " + started.node() + " (pid " + started.pid() + ")");
        return process;
    }

    /** Launches a node process that outlives this command; its output is appended to its log. */
    private static Process launch(Place place, int node, List<String> jvmAndServerArgs) throws IOException {
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
    private static void awaitReady(Place place, NodeRecord node) {
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

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show each node: client address, PID, whether it runs and answers, and its view of the cluster.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Place place = new Place();

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

    static void printTable(Place place, List<NodeRecord> nodes) {
        System.out.printf("%-5s %-16s %-16s %-16s %s%n", "node", "client", "cluster", "management", "pid");
        for (NodeRecord node : nodes) {
            System.out.printf("%-5d %-16s %-16s %-16s %d%n", node.node(), node.clientAddress(),
                    "127.0.0.1:" + node.clusterPort(),
                    place.management(node.node()).map(ManagementProbe::address).orElse("-"), node.pid());
        }
    }

    private static boolean listens(String host, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover PID file is harmless: the next `up` checks whether the process lives
        }
    }
}
