package dev.strand.it.cluster;

import dev.strand.actors.cluster.ReplicaPlacement;
import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.support.SharedCassandra;
import dev.strand.protocol.message.VolumeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failover of a volume replica through Cluster Sharding, with real server processes: three nodes on the shared
 * Cassandra, kill -9 of the node that hosts a volume's replica while a client writes through another node.
 *
 * <p>{@code -Dstrand.it.failover.kills=N} (default 1) repeats kill-and-restart N times and prints the failover
 * time of each (kill -9 to the first acknowledged write on the affected volume), the median and the worst.
 * {@code -Dstrand.it.failover.replicas=R} (default 1) gives the volume R replicas: the node killed is the one
 * hosting replica 0, and the volume carries on with the others (replica 0 catches up when it is back).
 */
class FailoverIT {
    /** {@code -Dstrand.it.failover.attempt-ms}: the writer's patience per attempt, so the resolution of a measurement. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(Long.getLong("strand.it.failover.attempt-ms", 3000));
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(90);

    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ProcessCluster.start(3, SharedCassandra.uniqueKeyspace("failover"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aKilledNodesReplicaComesBackOnASurvivorWithEveryAcknowledgedWriteAndTheNodeRejoins() throws Exception {
        long volumeId;
        try (BlockingStrandClient client = connect(cluster.node(1))) {
            VolumeInfo volume = client.volumeCreate("fo", Integer.getInteger("strand.it.failover.replicas", 1));
            volumeId = volume.id();
        }
        String shard = volumeId + ".0";
        Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        // Written through node 3: sharding forwards to wherever the replica lives.
        try (BlockingStrandClient client = connect(cluster.node(3))) {
            for (int i = 0; i < 5; i++) {
                write(client, "/fo/before-" + i, acknowledged);
            }
        }
        List<Long> failoverMillis = new ArrayList<>();
        int kills = Integer.getInteger("strand.it.failover.kills", 1);
        ProcessCluster.Node preferred = cluster.byClusterAddress(ReplicaPlacement.preferredRegion(
                new ReplicaPlacement.ReplicaShard(volumeId, 0),
                cluster.nodes().stream().map(ProcessCluster.Node::clusterAddress).toList()));
        for (int round = 1; round <= kills; round++) {
            // Once every node is back, the rebalance returns the replica to its preferred node.
            await("the replica on its preferred node " + preferred.clusterAddress()).atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.hostOf(shard).orElseThrow() == preferred);
            ProcessCluster.Node victim = preferred;
            ProcessCluster.Node writerNode = cluster.nodes().stream().filter(n -> n != victim).findFirst().orElseThrow();
            try (Writer writer = new Writer(writerNode, "/fo/r" + round + "-", acknowledged)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.acked.get() >= 3);
                long killedAt = System.nanoTime();
                victim.kill();
                await("a write started after the kill is acknowledged").atMost(FAILOVER_BOUND)
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> writer.firstAckStartedAfter(killedAt).isPresent());
                failoverMillis.add(TimeUnit.NANOSECONDS.toMillis(
                        writer.firstAckStartedAfter(killedAt).getAsLong() - killedAt));
                System.out.println("[FailoverIT] kill " + round + ": first acknowledged write "
                        + failoverMillis.get(failoverMillis.size() - 1) + " ms after kill -9");
            }
            // With one replica the write above needed the replica on a survivor; with more, the volume carries on
            // with the others meanwhile, and the dead node's replica moves once the node is downed.
            await("the replica moved to a survivor").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.hostOf(shard).orElseThrow() != victim);
            ProcessCluster.Node newHost = cluster.hostOf(shard).orElseThrow();
            assertThat(newHost.isAlive()).isTrue();

            victim.restart();
            await("the restarted node rejoins: every node sees all three Up").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(cluster::allRunningNodesSeeEachOtherUp);
        }
        System.out.println(cluster.describe());
        System.out.println("kill -9 failover of volume " + volumeId + ", " + kills + " kill(s): times (ms) "
                + failoverMillis + summary(failoverMillis));

        // The rebalance hands the replica back to its preferred node; while it moves, the volume answers UNAVAILABLE
        // (truthfully; waiting instead is issue 9's). This test is about acknowledged writes, so it reads after.
        await("the replica moved back to its preferred node after the restart").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.hostOf(shard).orElseThrow() == preferred);

        // Every write that was acknowledged is there, read through each node (the restarted one included).
        for (ProcessCluster.Node node : cluster.nodes()) {
            try (BlockingStrandClient client = connect(node)) {
                for (Map.Entry<String, byte[]> write : acknowledged.entrySet()) {
                    assertThat(read(client, write.getKey())).as(write.getKey() + " via node " + node.index)
                            .isEqualTo(write.getValue());
                }
            }
        }
        assertThat(acknowledged.size()).isGreaterThan(5 + 3 * kills);
    }

    private static String summary(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        long median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return "; median " + median + " ms, worst " + sorted.get(sorted.size() - 1) + " ms";
    }

    /**
     * Writes small files in a loop through one node until closed. An attempt that does not complete within
     * {@link #ATTEMPT_TIMEOUT} is abandoned with its connection (its outcome unknown, so not counted); the next
     * attempt uses a fresh connection to the same node.
     */
    private static final class Writer implements AutoCloseable {
        final AtomicLong acked = new AtomicLong();
        /** {attempt started, acknowledged} of every acknowledged write, in nanoTime. */
        final List<long[]> acks = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CompletableFuture<Void> done;

        Writer(ProcessCluster.Node node, String prefix, Map<String, byte[]> acknowledged) {
            done = CompletableFuture.runAsync(() -> {
                BlockingStrandClient client = null;
                for (int i = 0; running.get() && i < 100_000; i++) { // bounded; closed long before
                    try {
                        if (client == null) {
                            client = connect(node);
                        }
                        BlockingStrandClient current = client;
                        String path = prefix + i;
                        long started = System.nanoTime();
                        CompletableFuture.runAsync(() -> write(current, path, acknowledged))
                                .get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        long now = System.nanoTime();
                        acks.add(new long[] {started, now});
                        acked.incrementAndGet();
                    } catch (Exception e) {
                        if (client != null) {
                            client.close();
                            client = null;
                        }
                    }
                }
                if (client != null) {
                    client.close();
                }
            });
        }

        /** When the first write that was started after {@code nanos} was acknowledged. */
        OptionalLong firstAckStartedAfter(long nanos) {
            synchronized (acks) {
                return acks.stream().filter(a -> a[0] > nanos).mapToLong(a -> a[1]).min();
            }
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            done.get(30, TimeUnit.SECONDS);
        }
    }

    private static void write(BlockingStrandClient client, String path, Map<String, byte[]> acknowledged) {
        byte[] bytes = ("contents of " + path).getBytes(StandardCharsets.UTF_8);
        client.createFile(path, 0644, false);
        client.write(path, bytes.length, Channels.newChannel(new ByteArrayInputStream(bytes)), n -> {});
        acknowledged.put(path, bytes);
    }

    private static byte[] read(BlockingStrandClient client, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.cat(path, out, n -> {});
        return out.toByteArray();
    }

    private static BlockingStrandClient connect(ProcessCluster.Node node) {
        return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(node.clientAddress()))
                .withConnectTimeout(Duration.ofSeconds(3)));
    }
}
