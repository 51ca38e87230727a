package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.support.NetworkPartition;
import dev.strand.it.support.PackagedServer;
import dev.strand.it.support.SharedCassandra;
import dev.strand.ops.management.ManagementProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * A cluster of Strand server processes on loopback (the way `strand cluster up` runs them), on the shared test
 * Cassandra and one keyspace, so that a test can kill -9 a node and start it again on the same ports. The first
 * three nodes are the seeds. Each node logs to target/cluster-KEYSPACE-node-i.log.
 */
final class ProcessCluster implements AutoCloseable {
    private static final Pattern PLACED =
            Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) .*placed shard (\\S+) on (\\S+)$");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(150);

    private final String keyspace;
    private final List<Node> nodes = new ArrayList<>();
    private final PortRange portRange;
    /** Null: the nodes run as plain processes, and no test cuts links between them. */
    private final NetworkPartition partition;
    /** JVM options every node gets (e.g. {@code -Dpekko...} settings a test needs). */
    private final List<String> jvmOptions;

    /**
     * Where a test's nodes take their ports from (the first free ones at or above each base, within 100), for
     * a test that must keep to ports of its own; without one, the system picks any free ports.
     */
    static final class PortRange {
        private final int clientBase;
        private final int clusterBase;
        private int nextClient;
        private int nextCluster;
        private int nextManagement;

        /** Management ports come from the hundred above the client ports' hundred. */
        PortRange(int clientBase, int clusterBase) {
            this.clientBase = clientBase;
            this.clusterBase = clusterBase;
            this.nextClient = clientBase;
            this.nextCluster = clusterBase;
            this.nextManagement = clientBase + 100;
        }

        int nextFreeManagementPort() {
            int port = firstFree(nextManagement, clientBase + 200);
            nextManagement = port + 1;
            return port;
        }

        int nextFreeClientPort() {
            int port = firstFree(nextClient, clientBase + 100);
            nextClient = port + 1;
            return port;
        }

        int nextFreeClusterPort() {
            int port = firstFree(nextCluster, clusterBase + 100);
            nextCluster = port + 1;
            return port;
        }

        private static int firstFree(int from, int limit) {
            for (int port = from; port < limit; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return socket.getLocalPort();
                } catch (IOException taken) {
                    // in use: try the next one
                }
            }
            throw new IllegalStateException("no free port in " + from + ".." + (limit - 1));
        }
    }

    /** One node: fixed ports for its whole life, a process while it runs. */
    final class Node {
        final int index;
        final int clientPort;
        final int clusterPort;
        final int managementPort;
        final Path log;
        Process process;

        Node(int index) {
            this.index = index;
            this.clientPort = portRange == null ? freePort() : portRange.nextFreeClientPort();
            this.clusterPort = portRange == null ? freePort() : portRange.nextFreeClusterPort();
            this.managementPort = portRange == null ? freePort() : portRange.nextFreeManagementPort();
            this.log = Path.of("target", "cluster-" + keyspace + "-node-" + index + ".log").toAbsolutePath();
            try {
                Files.deleteIfExists(log); // left by an earlier run
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (partition != null) {
                partition.addMember(member(), clusterPort);
            }
        }

        /** The node's name in the cluster's {@link NetworkPartition}: "node-i". */
        String member() {
            return "node-" + index;
        }

        String clientAddress() {
            return "127.0.0.1:" + clientPort;
        }

        /** The node's name in the cluster, in logs and greetings. */
        String clusterAddress() {
            return "127.0.0.1:" + clusterPort;
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }

        /** The node's management endpoint (/ready, /metrics, /cluster/members). */
        ManagementProbe management() {
            return new ManagementProbe("127.0.0.1", managementPort);
        }

        long pid() {
            return process.pid();
        }

        void launch(String seeds) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", PackagedServer.classPath(), "dev.strand.ops.StrandMain",
                    "server", "--port", String.valueOf(clientPort), "--cluster-port", String.valueOf(clusterPort),
                    "--management-port", String.valueOf(managementPort),
                    "--seed-nodes", seeds, "--keyspace", keyspace,
                    "--cassandra", SharedCassandra.host() + ":" + SharedCassandra.port()));
            try {
                Files.writeString(log, "==== launching " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                process = new ProcessBuilder(partition == null ? command : partition.command(member(), command)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The lines this node logged since its latest launch. */
        List<String> currentLog() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                int start = 0;
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).startsWith("==== launching")) {
                        start = i;
                    }
                }
                return lines.subList(start, lines.size());
            } catch (IOException e) {
                return List.of();
            }
        }

        void awaitReady() {
            await("node " + index + " ready (see " + log + ")").atMost(READY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!isAlive()) {
                            throw new IllegalStateException("node " + index + " exited; see " + log);
                        }
                        return management().readiness() == ManagementProbe.Readiness.READY;
                    });
        }

        /**
         * As a supervisor would have it: a node the cluster removed while it joined (under load another node may
         * quarantine it; it then exits with 75) is launched again, at most twice.
         */
        void awaitReadyOrRelaunch() {
            for (int attempt = 1; ; attempt++) {
                try {
                    awaitReady();
                    return;
                } catch (IllegalStateException exited) {
                    if (attempt >= 3 || isAlive()) {
                        throw exited;
                    }
                    launch(seeds());
                }
            }
        }

        /** This node's view of the membership now, e.g. "127.0.0.1:1 Up, 127.0.0.1:2 Up (unreachable: none)". */
        String membershipView() {
            return isAlive() ? management().membership().orElse("") : "";
        }

        /** SIGKILL: no shutdown hook, nothing flushed, no goodbye to the cluster. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void restart() {
            launch(seeds());
            awaitReady();
        }

        /**
         * What a supervisor does after this node was killed or paused: if its process exited (killed, or downed by
         * the others during a pause: it exits with 75 once it runs again) start it again, as often as it exits
         * while starting (at most 3 times); then wait until every node runs and sees every other Up. Returns the
         * exit code of the process it replaced, or -1 if that still ran.
         */
        int superviseBack(Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            await("node " + index + " exited or rejoined").atMost(bound).pollInterval(Duration.ofMillis(200))
                    .until(() -> !isAlive() || allRunningNodesSeeEachOtherUp());
            int exit = isAlive() ? -1 : process.exitValue();
            for (int attempt = 1; !isAlive(); attempt++) {
                try {
                    restart();
                } catch (RuntimeException e) {
                    if (attempt >= 3 || isAlive()) {
                        throw e;
                    }
                }
            }
            await("every node runs and sees every other Up after node " + index + " came back")
                    .atMost(Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(30).toNanos())))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes.stream().allMatch(Node::isAlive) && allRunningNodesSeeEachOtherUp());
            return exit;
        }

        /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a suspended VM. */
        void pause() {
            signal("STOP");
        }

        /** SIGCONT after {@link #pause()}. */
        void resume() {
            signal("CONT");
        }

        private void signal(String signal) {
            try {
                int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start()
                        .waitFor();
                if (exit != 0) {
                    throw new IllegalStateException("kill -" + signal + " " + pid() + " exited with " + exit);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** A client of this node only, which does not move to another node: what it reads comes through this one. */
        BlockingStrandClient client() {
            return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(clientAddress()))
                    .withConnectTimeout(Duration.ofSeconds(3)).withReconnectTimeout(Duration.ZERO));
        }
    }

    private ProcessCluster(String keyspace, PortRange portRange, NetworkPartition partition, List<String> jvmOptions) {
        this.keyspace = keyspace;
        this.portRange = portRange;
        this.partition = partition;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Starts node 1 (it forms the cluster), then the others in parallel; returns once every node serves. */
    static ProcessCluster start(int size, String keyspace) {
        return start(size, keyspace, null);
    }

    /** As {@link #start(int, String)}, with ports from {@code portRange} (null: any free ports). */
    static ProcessCluster start(int size, String keyspace, PortRange portRange) {
        return start(size, keyspace, portRange, null);
    }

    /**
     * As {@link #start(int, String, PortRange)}, each node a member ("node-i") of {@code partition}, whose cuts
     * then separate the nodes' cluster (Artery) ports; null: no partitions.
     */
    static ProcessCluster start(int size, String keyspace, PortRange portRange, NetworkPartition partition) {
        return start(size, keyspace, portRange, partition, List.of());
    }

    /** As {@link #start(int, String, PortRange, NetworkPartition)}, every node started with {@code jvmOptions}. */
    static ProcessCluster start(int size, String keyspace, PortRange portRange, NetworkPartition partition,
                                List<String> jvmOptions) {
        ProcessCluster cluster = new ProcessCluster(keyspace, portRange, partition, jvmOptions);
        try {
            for (int i = 1; i <= size; i++) {
                cluster.nodes.add(cluster.new Node(i));
            }
            Node first = cluster.nodes.get(0);
            first.launch(cluster.seeds());
            first.awaitReady();
            cluster.nodes.subList(1, size).forEach(node -> node.launch(cluster.seeds()));
            cluster.nodes.subList(1, size).forEach(Node::awaitReadyOrRelaunch);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private String seeds() {
        return nodes.stream().limit(3).map(Node::clusterAddress).collect(Collectors.joining(","));
    }

    Node node(int index) {
        return nodes.get(index - 1);
    }

    List<Node> nodes() {
        return nodes;
    }

    Node byClusterAddress(String address) {
        return nodes.stream().filter(n -> n.clusterAddress().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + address));
    }

    /**
     * The node the shard coordinator last placed the shard on, from the placement lines in every node's log
     * (whichever node runs the coordinator logs them); empty if not placed yet.
     */
    Optional<Node> hostOf(String shardId) {
        LocalTime latest = null;
        String host = null;
        for (Node node : nodes) {
            for (String line : node.currentLog()) {
                Matcher m = PLACED.matcher(line);
                if (m.matches() && m.group(2).equals(shardId)) {
                    LocalTime at = LocalTime.parse(m.group(1));
                    if (latest == null || !at.isBefore(latest)) {
                        latest = at;
                        host = m.group(3);
                    }
                }
            }
        }
        return Optional.ofNullable(host).map(this::byClusterAddress);
    }

    /**
     * The node whose log says it started the volume's coordinator last (log lines begin with the time); empty if
     * none did yet.
     */
    Optional<Node> coordinatorOf(long volumeId) {
        String marker = "Coordinator of volume " + volumeId + " serves";
        Node found = null;
        String latest = null;
        for (Node node : nodes) {
            for (String line : node.currentLog()) {
                if (line.contains(marker) && line.length() >= 12 && (latest == null || line.substring(0, 12)
                        .compareTo(latest) >= 0)) {
                    latest = line.substring(0, 12);
                    found = node;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether the shard coordinator last placed each of the volume's {@code replicas} replicas on another node. */
    boolean placedApart(long volumeId, int replicas) {
        java.util.Set<Node> hosts = new java.util.HashSet<>();
        for (int r = 0; r < replicas; r++) {
            hostOf(volumeId + "." + r).ifPresent(hosts::add);
        }
        return hosts.size() == replicas;
    }

    /** A volume, its id and the node its coordinator started on. */
    record PlacedVolume(String name, long id, Node coordinator) {}

    /**
     * A volume of three replicas placed on three nodes, with {@code /NAME/before} made through it, whose coordinator
     * started preferably not on node 1 (the oldest member, whose shard coordinator's handover would slow a failover):
     * volumes {@code prefix0}, {@code prefix1}, ... are created until one's coordinator starts elsewhere (at most 6).
     */
    PlacedVolume volumeCoordinatedOffNodeOne(String prefix, String minReplicas) {
        PlacedVolume chosen = null;
        try (BlockingStrandClient admin = clientOfAll(0)) {
            for (int attempt = 0; attempt < 6 && (chosen == null || chosen.coordinator() == node(1)); attempt++) {
                String name = prefix + attempt;
                long created = admin.volumeCreate(name, 3, minReplicas).id();
                admin.mkdir("/" + name + "/before");
                await("volume " + name + " placed on three nodes").atMost(Duration.ofSeconds(45))
                        .pollInterval(Duration.ofMillis(200)).until(() -> placedApart(created, 3));
                Node coordinator = await("its coordinator started").atMost(Duration.ofSeconds(10))
                        .until(() -> coordinatorOf(created), Optional::isPresent).orElseThrow();
                if (chosen == null || coordinator != node(1)) {
                    chosen = new PlacedVolume(name, created, coordinator);
                }
            }
        }
        return chosen;
    }

    /** A client of every node, trying node {@code first + 1} first: it reconnects to another when one goes. */
    BlockingStrandClient clientOfAll(int first) {
        List<ServerAddress> servers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            servers.add(ServerAddress.parse(nodes.get((first + i) % nodes.size()).clientAddress()));
        }
        return BlockingStrandClient.connect(ClientSettings.of(servers).withConnectTimeout(Duration.ofSeconds(3)));
    }

    /** Whether every running node sees exactly the running nodes, all Up and reachable. */
    boolean allRunningNodesSeeEachOtherUp() {
        List<Node> running = nodes.stream().filter(Node::isAlive).toList();
        String expected = running.stream().map(n -> n.clusterAddress() + " Up").sorted()
                .collect(Collectors.joining(", ")) + " (unreachable: none)";
        return running.stream().allMatch(n -> n.membershipView().equals(expected));
    }

    String describe() {
        return IntStream.range(0, nodes.size()).mapToObj(i -> "node " + (i + 1) + " " + nodes.get(i).clusterAddress()
                + (nodes.get(i).isAlive() ? " pid " + nodes.get(i).pid() : " (down)") + ": "
                + nodes.get(i).membershipView()).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.isAlive()) {
                node.kill();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
