package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.support.NetworkPartition;
import dev.strand.it.support.SharedCassandra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real network partition between server processes: node 3 of a 3-node cluster is cut from nodes 1 and 2 (their
 * Artery ports), while every node still reaches Cassandra and its clients reach it. What Strand configures decides
 * what follows: the split-brain resolver (keep-majority, stable-after 5 s) keeps nodes 1-2 and node 3 downs itself
 * and exits with 75, after which a supervisor (here the test) starts it again and it rejoins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPartitionIT {
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(20);
    private static final Duration DOWNING_BOUND = Duration.ofSeconds(40);
    private static final Duration REJOIN_BOUND = Duration.ofSeconds(90);

    private static NetworkPartition partition;
    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        Optional<String> why = NetworkPartition.unsupportedReason();
        assumeTrue(why.isEmpty(), () -> why.orElse(""));
        partition = NetworkPartition.open();
        cluster = ProcessCluster.start(3, SharedCassandra.uniqueKeyspace("partition"),
                new ProcessCluster.PortRange(8000, 26000), partition);
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (partition != null) {
                partition.close();
                assertThat(NetworkPartition.leftovers()).as("partition rules or cgroups left behind").isEmpty();
            }
        }
    }

    @Test
    @Order(1)
    void aCutHealedAsSoonAsItIsNoticedLeavesEveryNodeUpAsTheSameProcess() {
        ProcessCluster.Node third = cluster.node(3);
        long pid = third.pid();
        awaitAllUp("before the cut");

        long cutAt = System.nanoTime();
        partition.cut(List.of(cluster.node(1).member(), cluster.node(2).member()), List.of(third.member()));
        await("node 1 sees node 3 unreachable").atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.node(1).membershipView().contains("(unreachable: " + third.clusterAddress()));
        long noticedAt = System.nanoTime();
        partition.heal();
        awaitAllUp("after the heal");
        long healedAt = System.nanoTime();

        System.out.printf("[ClusterPartitionIT] short cut: unreachable seen %d ms after the cut; healed at once; "
                        + "every node Up and reachable in every view %d ms after the heal%n",
                millis(noticedAt - cutAt), millis(healedAt - noticedAt));
        assertThat(third.isAlive()).as("node 3 still runs").isTrue();
        assertThat(third.pid()).as("node 3 is the same process (it was not downed)").isEqualTo(pid);
    }

    @Test
    @Order(2)
    void nodeThreeCutFromTheOthersIsUnreachableKeepsItsClientsAndCassandraThenDownsItselfAndRejoins() {
        ProcessCluster.Node first = cluster.node(1);
        ProcessCluster.Node second = cluster.node(2);
        ProcessCluster.Node third = cluster.node(3);
        awaitAllUp("before the cut");
        assertThat(partition.reachableFrom(first.member(), third.clusterPort)).as("1 -> 3 before the cut").isTrue();

        long cutAt = System.nanoTime();
        partition.cut(List.of(first.member(), second.member()), List.of(third.member()));

        // What the rules do, seen from inside each node's cgroup.
        assertThat(partition.reachableFrom(first.member(), third.clusterPort)).as("1 -> 3 Artery").isFalse();
        assertThat(partition.reachableFrom(third.member(), second.clusterPort)).as("3 -> 2 Artery").isFalse();
        assertThat(partition.reachableFrom(first.member(), second.clusterPort)).as("1 -> 2 Artery").isTrue();
        assertThat(partition.reachableFrom(third.member(), SharedCassandra.port())).as("3 -> Cassandra").isTrue();

        // Each side sees the other unreachable.
        String thirdUnreachable = "(unreachable: " + third.clusterAddress() + ")";
        String othersUnreachable = "(unreachable: " + first.clusterAddress() + ", " + second.clusterAddress() + ")";
        await("nodes 1 and 2 see node 3 unreachable, and node 3 sees them unreachable").atMost(DETECTION_BOUND)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> first.membershipView().endsWith(thirdUnreachable)
                        && second.membershipView().endsWith(thirdUnreachable)
                        && third.membershipView().endsWith(othersUnreachable));
        long unreachableAt = System.nanoTime();
        String thirdsView = third.membershipView();

        // Node 3 still serves its clients while it waits for the resolver: a client of node 3 alone is greeted
        // by node 3.
        String greetedBy;
        try (BlockingStrandClient client = BlockingStrandClient.connect(
                ClientSettings.of(ServerAddress.parse(third.clientAddress()))
                        .withConnectTimeout(Duration.ofSeconds(3)).withReconnectTimeout(Duration.ZERO))) {
            greetedBy = client.helloReply().serverId();
        }
        boolean thirdAliveWhenGreeted = third.isAlive();

        // keep-majority: nodes 1-2 down node 3 and remove it; node 3, on the minority side, downs itself.
        String survivors = first.clusterAddress() + " Up, " + second.clusterAddress() + " Up (unreachable: none)";
        await("nodes 1 and 2 removed node 3").atMost(DOWNING_BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> first.membershipView().equals(survivors) && second.membershipView().equals(survivors));
        long removedAt = System.nanoTime();
        await("node 3 exited").atMost(DOWNING_BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> !third.isAlive());
        long exitedAt = System.nanoTime();
        int exitCode = third.process.exitValue();

        partition.heal();
        long healedAt = System.nanoTime();
        third.restart();
        long restartedAt = System.nanoTime();
        await("node 3 rejoined: every node sees all three Up").atMost(REJOIN_BOUND)
                .pollInterval(Duration.ofMillis(200)).until(cluster::allRunningNodesSeeEachOtherUp);
        long rejoinedAt = System.nanoTime();

        System.out.printf("[ClusterPartitionIT] node 3 cut from 1-2: unreachable in 1-2's views after %d ms "
                        + "(node 3's view then: %s); node 3 greeted its client as %s; removed from 1-2's views "
                        + "after %d ms; node 3 exited with %d after %d ms; healed, node 3 restarted and ready "
                        + "%d ms after the heal, all three Up in every view %d ms after the heal%n",
                millis(unreachableAt - cutAt), thirdsView, greetedBy, millis(removedAt - cutAt),
                exitCode, millis(exitedAt - cutAt), millis(restartedAt - healedAt),
                millis(rejoinedAt - healedAt));
        assertThat(thirdAliveWhenGreeted).as("node 3 still ran when it greeted its client").isTrue();
        assertThat(greetedBy).as("the server that greeted node 3's client").isEqualTo(third.clusterAddress());
        assertThat(exitCode).as("node 3's exit code (downed: 75)").isEqualTo(75);
        assertThat(logOfPreviousLaunch(third)).contains("the cluster removed this node (downed)");
    }

    private static void awaitAllUp(String when) {
        await("every node sees all three Up and reachable (" + when + ")").atMost(REJOIN_BOUND)
                .pollInterval(Duration.ofMillis(200)).until(cluster::allRunningNodesSeeEachOtherUp);
    }

    private static String logOfPreviousLaunch(ProcessCluster.Node node) {
        try {
            String all = Files.readString(node.log);
            int latest = all.lastIndexOf("==== launching");
            return latest > 0 ? all.substring(0, latest) : all;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
