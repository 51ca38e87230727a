package dev.strand.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strand.actors.connection.ServerIdentity;
import dev.strand.actors.connection.StrandTcpServer;
import dev.strand.actors.connection.VolumeRouter;
import dev.strand.actors.coordinator.VolumeCoordinator;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.ops.management.ManagementSettings;
import dev.strand.ops.management.NodeManagement;
import dev.strand.persistence.CassandraChunkStore;
import dev.strand.persistence.CassandraNodeLeases;
import dev.strand.actors.fencing.FencingSettings;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.persistence.ChunkStore;
import dev.strand.persistence.cassandra.CassandraSettings;
import dev.strand.persistence.cassandra.LocalCassandra;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import dev.strand.actors.cluster.ClusterMembershipLog;
import dev.strand.actors.cluster.DeathProbe;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

/**
 * A running Strand node: optionally its own local Cassandra, the actor system (a one-node cluster that joins
 * itself), the volume registry and replicas under Cluster Sharding, and the client port.
 */
public final class StrandServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StrandServer.class);

    private final ServerSettings settings;
    private final LocalCassandra cassandra;
    private final ChunkStore chunks;
    private final ActorSystem<Void> system;
    private final Tcp.ServerBinding binding;
    private final int managementPort;
    private final Thread shutdownHook;
    private final NodeLease lease;
    private boolean closed;

    private StrandServer(ServerSettings settings, LocalCassandra cassandra, ChunkStore chunks,
                         ActorSystem<Void> system, Tcp.ServerBinding binding, int managementPort,
                         Thread shutdownHook, NodeLease lease) {
        this.lease = lease;
        this.managementPort = managementPort;
        this.shutdownHook = shutdownHook;
        this.settings = settings;
        this.cassandra = cassandra;
        this.chunks = chunks;
        this.system = system;
        this.binding = binding;
    }

    /** Starts everything, the management endpoint where strand.management says, and returns once serving. */
    public static StrandServer start(ServerSettings settings) {
        return start(settings, ManagementSettings.defaults());
    }

    /** Starts everything and returns once the client port listens (and /ready answers 200). */
    public static StrandServer start(ServerSettings settings, ManagementSettings management) {
        LocalCassandra cassandra = null;
        ChunkStore chunks = null;
        ActorSystem<Void> system = null;
        // One hook stops everything in order on Ctrl-C, also while starting: the server first, then its Cassandra.
        AtomicReference<StrandServer> started = new AtomicReference<>();
        AtomicReference<LocalCassandra> embedded = new AtomicReference<>();
        Thread shutdownHook = new Thread(() -> {
            StrandServer server = started.get();
            if (server != null) {
                server.close();
            } else if (embedded.get() != null) {
                embedded.get().stop();
            }
        }, "strand-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            String cassandraHost = settings.cassandraHost();
            int cassandraPort = settings.cassandraPort();
            if (settings.embeddedCassandra()) {
                Path dir = settings.dataDir().resolve("cassandra");
                log.info("starting the embedded Cassandra (data in {}, CQL port {})", dir, cassandraPort);
                cassandra = new LocalCassandra(CassandraSettings.builder(dir)
                        .nativePort(cassandraPort)
                        .storagePort(settings.cassandraStoragePort())
                        .heapMiB(settings.cassandraHeapMiB())
                        // close() stops it, after the actors: a hook of its own would race them on Ctrl-C
                        .stopOnJvmExit(false)
                        .build());
                embedded.set(cassandra);
                cassandra.start();
                cassandraHost = cassandra.host();
            }
            CassandraChunkStore cassandraChunks = CassandraChunkStore.connect(cassandraHost, cassandraPort,
                    settings.keyspace(), settings.replicationFactor());
            chunks = cassandraChunks;
            // Resolved after the overrides are in: the driver's contact point is a substitution of strand.cassandra.*.
            Config config = ConfigFactory.load(settings.overrides(cassandraHost, cassandraPort)
                    .withFallback(management.overrides())
                    .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
            FencingSettings fencing = FencingSettings.fromConfig(config); // refuses a lease that outlives downing
            system = ActorSystem.create(Behaviors.empty(), "strand", config);
            // Up first, so that /alive answers and /ready says "not yet" while the rest starts.
            NodeManagement node = NodeManagement.get(system);
            int managementPort = node.start();
            log.info("management endpoint (health, metrics) on http://{}:{}", management.host(), managementPort);
            joinCluster(system, settings.seedNodes());
            ClusterMembershipLog.start(system);

            VolumeSettings volumeSettings = VolumeSettings.fromConfig(system.settings().config());
            dev.strand.volume.FrameBudget.of(system.settings().config()); // refuses a frame size the paged messages were not sized for
            // replicas write only under this node's lease (docs/architecture.md, "Fencing the writers")
            NodeLease lease = NodeLease.startFor(system, CassandraNodeLeases.create(cassandraChunks), fencing);
            VolumeReplica.init(system, chunks, volumeSettings, lease);
            // a dead process writes nothing more: its replicas may start elsewhere without waiting for its lease
            DeathProbe.start(system, dead -> lease.store().releaseDead(NodeLease.nodeId(dead)));
            // every request for a volume goes through its coordinator, which lives beside the replicas
            VolumeCoordinator.init(system, chunks);
            VolumeRegistry.init(system, lease); // fenced by the same lease

            awaitJournal(system);
            node.registryReady();

            long term = System.currentTimeMillis();
            // With --cluster-port 0 the node's name is only known once Artery has bound.
            org.apache.pekko.actor.Address self = Cluster.get(system).selfMember().address();
            String serverId = self.host().get() + ":" + self.port().get();
            ServerIdentity identity = new ServerIdentity(settings.clusterId(), serverId, term);
            Tcp.ServerBinding binding = StrandTcpServer.bind(system, settings.host(), settings.port(), identity,
                    VolumeRouter.sharded(system), chunks).toCompletableFuture().get(30, TimeUnit.SECONDS);
            node.serving(true);
            log.info("Strand server {} listening on {}:{} (cluster '{}', term {})", serverId,
                    settings.host(), binding.localAddress().getPort(), settings.clusterId(), term);
            ServerSettings bound = settings.withCluster(self.host().get(), (Integer) self.port().get(),
                    settings.seedNodes());
            StrandServer server = new StrandServer(bound, cassandra, chunks, system, binding, managementPort,
                    shutdownHook, lease);
            started.set(server);
            return server;
        } catch (Exception e) {
            removeHook(shutdownHook);
            if (system != null) {
                system.terminate();
                awaitTermination(system, SHUTDOWN_BOUND);
            }
            if (chunks != null) {
                chunks.close();
            }
            if (cassandra != null) {
                cassandra.stop();
            }
            if (e instanceof RemovedWhileStarting removed) {
                throw removed;
            }
            throw new IllegalStateException("Strand server failed to start: " + rootMessage(e), e);
        }
    }

    /**
     * The cluster removed (downed) this node before it served: under load a joining node can be quarantined by
     * another and down itself. Like a node downed later, only a new process can join again (exit code 75).
     */
    public static final class RemovedWhileStarting extends IllegalStateException {
        RemovedWhileStarting(String message) {
            super(message);
        }
    }

    public InetSocketAddress address() {
        return binding.localAddress();
    }

    public int port() {
        return binding.localAddress().getPort();
    }

    /** This node's lease; its store's {@code releaseDead} ends a proven-dead node's lease at once. */
    public NodeLease nodeLease() {
        return lease;
    }

    /** Where the management endpoint (/ready, /metrics, ...) listens, on strand.management.host. */
    public int managementPort() {
        return managementPort;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public ServerSettings settings() {
        return settings;
    }

    /** How long a shutdown under way may take before the foreground server stops waiting for it. */
    static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(20);

    /**
     * Blocks until the actor system stops (for the foreground `strand server`), or until a shutdown under way has
     * taken {@link #SHUTDOWN_BOUND}: a node downed on the minority side of a partition saw its termination hang
     * (remoting flushing to nodes it cannot reach) and never exited, so no supervisor could start it again.
     */
    public void awaitTermination() {
        java.util.concurrent.CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
        long shutdownSeen = 0;
        while (true) {
            try {
                terminated.get(1, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                boolean shuttingDown = org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason()
                        .isPresent();
                if (shuttingDown && shutdownSeen == 0) {
                    shutdownSeen = System.nanoTime();
                } else if (shuttingDown && System.nanoTime() - shutdownSeen > SHUTDOWN_BOUND.toNanos()) {
                    log.warn("The actor system did not terminate within {} s of its shutdown; exiting anyway",
                            SHUTDOWN_BOUND.toSeconds());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                return;
            }
        }
    }

    /**
     * Whether the actor system stopped because the cluster removed this node: it was downed (the others lost
     * sight of it, e.g. while it was paused, or it found itself on the minority side) or it could not join. Such a
     * node never rejoins as it is: only a new process (a new incarnation) can.
     */
    public boolean removedFromCluster() {
        return org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason()
                .filter(reason -> reason == org.apache.pekko.actor.CoordinatedShutdown.clusterDowningReason()
                        || reason == org.apache.pekko.actor.CoordinatedShutdown.clusterJoinUnsuccessfulReason())
                .isPresent();
    }

    /** Stops accepting clients, stops the actors, then the Cassandra this server started. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            removeHook(shutdownHook);
        }
        log.info("stopping Strand server {}", settings.serverId());
        NodeManagement.get(system).serving(false);
        try {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("unbinding the client port failed: {}", rootMessage(e));
        }
        NodeManagement.get(system).stop();
        system.terminate();
        // A node the cluster removed already waited SHUTDOWN_BOUND for its termination (awaitTermination()); waiting
        // a minute more kept a downed minority node alive past the point where its supervisor should restart it.
        awaitTermination(system, removedFromCluster() ? Duration.ofSeconds(5) : Duration.ofSeconds(60));
        chunks.close();
        if (cassandra != null) {
            log.info("stopping the embedded Cassandra");
            cassandra.stop();
        }
        log.info("Strand server {} stopped", settings.serverId());
    }

    /**
     * Joins the seed nodes, or (no seeds) forms a one-node cluster. A node that is itself the first seed forms the
     * cluster only if no other seed answers within seed-node-timeout, so a restarted first seed rejoins the
     * running cluster instead of starting a second one.
     */
    private static void joinCluster(ActorSystem<?> system, List<String> seedNodes) {
        Cluster cluster = Cluster.get(system);
        if (seedNodes.isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            return;
        }
        List<org.apache.pekko.actor.Address> seeds = seedNodes.stream().map(seed -> {
            int colon = seed.lastIndexOf(':');
            return new org.apache.pekko.actor.Address("pekko", system.name(), seed.substring(0, colon),
                    Integer.parseInt(seed.substring(colon + 1)));
        }).toList();
        log.info("joining the cluster through seed nodes {}", seeds);
        cluster.manager().tell(new JoinSeedNodes(seeds));
    }

    /**
     * Waits until the volume registry has recovered from the journal. On a fresh Cassandra this is also when the
     * journal's keyspaces and tables get created (tens of seconds), which a client's first request must not pay.
     */
    private static void awaitJournal(ActorSystem<?> system) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            // A node downed while it starts stops its actor system; an ask would then never time out (no scheduler).
            var reason = org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason();
            if (reason.isPresent()) {
                throw new RemovedWhileStarting("the cluster removed this node while it started (" + reason.get()
                        + ")");
            }
            try {
                VolumeRegistry.Result result = AskPattern.<VolumeRegistry.Command, VolumeRegistry.Result>ask(
                        VolumeRegistry.entityRef(system), r -> new VolumeRegistry.ListVolumesPage(null, r),
                        Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get(35, TimeUnit.SECONDS);
                log.info("volume registry ready ({} volumes)", result instanceof VolumeRegistry.Result.VolumesPage v
                        ? v.volumes().size() + (v.last() ? "" : "+") : "?");
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the event journal did not become ready in 180 s", e);
                }
                log.info("waiting for the event journal: {}", rootMessage(e));
            }
        }
    }

    private static void awaitTermination(ActorSystem<?> system) {
        awaitTermination(system, Duration.ofSeconds(60));
    }

    private static void awaitTermination(ActorSystem<?> system, Duration bound) {
        try {
            system.getWhenTerminated().toCompletableFuture().get(bound.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("actor system did not stop cleanly: {}", rootMessage(e));
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to: nothing to undo
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Everything a node needs to start; see application.conf for the defaults. */
    public static final String SEED_NODES_ENV = "STRAND_SEED_NODES";

    public record ServerSettings(String host, int port, String clusterId, Path dataDir,
                                 boolean embeddedCassandra, String cassandraHost, int cassandraPort,
                                 int cassandraStoragePort, int cassandraHeapMiB, String keyspace,
                                 int replicationFactor, String clusterHost, int clusterPort,
                                 List<String> seedNodes) {

        public static ServerSettings fromConfig(Config config) {
            Config s = config.getConfig("strand");
            return new ServerSettings(
                    s.getString("server.host"), s.getInt("server.port"), s.getString("cluster-id"),
                    Path.of(s.getString("data-dir")).toAbsolutePath().normalize(),
                    s.getString("cassandra.mode").equals("embedded"),
                    s.getString("cassandra.host"), s.getInt("cassandra.port"), s.getInt("cassandra.storage-port"),
                    (int) (s.getMemorySize("cassandra.heap").toBytes() >> 20),
                    s.getString("cassandra.keyspace"), s.getInt("cassandra.replication-factor"),
                    s.getString("cluster.host"), s.getInt("cluster.port"), seedNodes(s));
        }

        /** {@code strand.cluster.seed-nodes} (a list, or one comma-separated string), or $STRAND_SEED_NODES. */
        private static List<String> seedNodes(Config s) {
            String env = System.getenv(SEED_NODES_ENV);
            if (env != null && !env.isBlank()) {
                return parseSeedNodes(env);
            }
            if (s.getValue("cluster.seed-nodes").valueType() == com.typesafe.config.ConfigValueType.STRING) {
                return parseSeedNodes(s.getString("cluster.seed-nodes"));
            }
            return List.copyOf(s.getStringList("cluster.seed-nodes"));
        }

        /** "host:port,host:port" into its entries; rejects an entry without a numeric port. */
        public static List<String> parseSeedNodes(String commaSeparated) {
            List<String> seeds = new ArrayList<>();
            for (String entry : commaSeparated.split(",")) {
                String seed = entry.trim();
                if (seed.isEmpty()) {
                    continue;
                }
                int colon = seed.lastIndexOf(':');
                if (colon <= 0 || !seed.substring(colon + 1).matches("\\d{1,5}")) {
                    throw new IllegalArgumentException("a seed node is host:port, got '" + seed + "'");
                }
                seeds.add(seed);
            }
            return List.copyOf(seeds);
        }

        /** The node's name in logs and greetings: where its cluster (Artery) endpoint is. */
        public String serverId() {
            return clusterHost + ":" + clusterPort;
        }

        public static ServerSettings defaults() {
            return fromConfig(ConfigFactory.load());
        }

        /** Settings that the actor system's configuration must agree with. */
        Config overrides(String cassandraHost, int cassandraPort) {
            Map<String, Object> values = new HashMap<>();
            values.put("strand.cassandra.host", cassandraHost);
            values.put("strand.cassandra.port", cassandraPort);
            values.put("strand.cluster-id", clusterId);
            values.put("pekko.remote.artery.canonical.hostname", clusterHost);
            values.put("pekko.remote.artery.canonical.port", clusterPort);
            // One prefix names all of a deployment's keyspaces: file data, event journal, snapshots.
            values.put("pekko.persistence.cassandra.journal.keyspace", keyspace + "_journal");
            values.put("pekko.persistence.cassandra.snapshot.keyspace", keyspace + "_snapshot");
            // ... and one replication factor, used when they are created (an existing keyspace keeps its own).
            values.put("pekko.persistence.cassandra.journal.replication-factor", replicationFactor);
            values.put("pekko.persistence.cassandra.snapshot.replication-factor", replicationFactor);
            return ConfigFactory.parseMap(values);
        }

        public ServerSettings withPort(int newPort) {
            return new ServerSettings(host, newPort, clusterId, dataDir, embeddedCassandra, cassandraHost,
                    cassandraPort, cassandraStoragePort, cassandraHeapMiB, keyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }

        public ServerSettings withExternalCassandra(String newHost, int newPort) {
            return new ServerSettings(host, port, clusterId, dataDir, false, newHost, newPort,
                    cassandraStoragePort, cassandraHeapMiB, keyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }

        public ServerSettings withDataDir(Path dir) {
            return new ServerSettings(host, port, clusterId, dir.toAbsolutePath().normalize(),
                    embeddedCassandra, cassandraHost, cassandraPort, cassandraStoragePort, cassandraHeapMiB,
                    keyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }

        public ServerSettings withCassandraPorts(int cqlPort, int storagePort) {
            return new ServerSettings(host, port, clusterId, dataDir, embeddedCassandra, cassandraHost,
                    cqlPort, storagePort, cassandraHeapMiB, keyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }

        public ServerSettings withClusterId(String id) {
            return new ServerSettings(host, port, id, dataDir, embeddedCassandra, cassandraHost,
                    cassandraPort, cassandraStoragePort, cassandraHeapMiB, keyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }

        public ServerSettings withKeyspace(String newKeyspace) {
            return new ServerSettings(host, port, clusterId, dataDir, embeddedCassandra, cassandraHost,
                    cassandraPort, cassandraStoragePort, cassandraHeapMiB, newKeyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }

        public ServerSettings withCluster(String newClusterHost, int newClusterPort, List<String> newSeedNodes) {
            return new ServerSettings(host, port, clusterId, dataDir, embeddedCassandra, cassandraHost,
                    cassandraPort, cassandraStoragePort, cassandraHeapMiB, keyspace, replicationFactor,
                    newClusterHost, newClusterPort, List.copyOf(newSeedNodes));
        }

        public ServerSettings withHost(String newHost) {
            return new ServerSettings(newHost, port, clusterId, dataDir, embeddedCassandra, cassandraHost,
                    cassandraPort, cassandraStoragePort, cassandraHeapMiB, keyspace, replicationFactor,
                    clusterHost, clusterPort, seedNodes);
        }
    }
}
