package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.it.support.SharedCassandra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outside testers' case: a node paused with SIGSTOP for 25 s (longer than the ~10 s after which the others down
 * it) while writers write through the two other nodes, then SIGCONT. The paused node hosts one of the volume's
 * replicas but not its coordinator, and is preferably not node 1 (the oldest, whose shard coordinator's handover
 * would slow the failover); {@code -Dstrand.it.paused.victim} chooses another (see {@link #VICTIM}). A supervisor's
 * work is done by the test: the node, downed meanwhile, exits once it runs again and is started again. Then every
 * replica must be current with equal version vectors within a bound, and every acknowledged write readable, with its
 * contents, through every node.
 */
class PausedNodeIT {
    private static final Duration PAUSE = Duration.ofSeconds(Long.getLong("strand.it.paused.seconds", 25));
    /**
     * Which node is paused: {@code replica} (the default), one hosting a replica but not the volume's coordinator;
     * {@code coordinator}, the coordinator's; {@code oldest}, node 1 (the oldest: it also runs the shard
     * coordinator) with the volume's coordinator on it.
     */
    private static final String VICTIM = System.getProperty("strand.it.paused.victim", "replica");
    private static final boolean PAUSE_COORDINATOR = !VICTIM.equals("replica");
    private static final boolean PAUSE_OLDEST = VICTIM.equals("oldest");
    private static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(60);

    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ProcessCluster.start(3, SharedCassandra.uniqueKeyspace("paused"),
                new ProcessCluster.PortRange(8400, 26400));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodePausedFor25sUnderWritersComesBackAndEveryReplicaConvergesWithNoAcknowledgedWriteLost()
            throws Exception {
        String volume = null;
        long id = -1;
        ProcessCluster.Node victim = null;
        try (BlockingStrandClient admin = cluster.clientOfAll(0)) {
            for (int attempt = 0; attempt < 4 && (victim == null || (victim == cluster.node(1)) != PAUSE_OLDEST);
                 attempt++) {
                String name = "paused" + attempt;
                long created = admin.volumeCreate(name, 3).id();
                admin.mkdir("/" + name + "/before"); // starts the volume's coordinator
                await("volume " + name + " placed on three nodes").atMost(Duration.ofSeconds(45))
                        .pollInterval(Duration.ofMillis(200)).until(() -> cluster.placedApart(created, 3));
                ProcessCluster.Node coordinator = await("its coordinator started").atMost(Duration.ofSeconds(10))
                        .until(() -> cluster.coordinatorOf(created), Optional::isPresent).orElseThrow();
                ProcessCluster.Node candidate = PAUSE_COORDINATOR ? coordinator : cluster.nodes().stream()
                        .filter(n -> n != coordinator).max(Comparator.comparingInt(n -> n.index)).orElseThrow();
                if (victim == null || (candidate == cluster.node(1)) == PAUSE_OLDEST) {
                    volume = name;
                    id = created;
                    victim = candidate;
                }
            }
        }
        assertThat(victim).as("a volume whose coordinator started").isNotNull();
        ProcessCluster.Node paused = victim;
        List<ProcessCluster.Node> others = cluster.nodes().stream().filter(n -> n != paused).toList();

        WriteLedger ledger = WriteLedger.start(others, volume, id, Duration.ofMillis(100), 2000,
                Duration.ofSeconds(240));
        int exit;
        long resumedAt;
        long backAt;
        try {
            await("every writer has acknowledged writes before the pause").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> ledger.acknowledgedStartedAfter(0, Long.MIN_VALUE) >= 3
                            && ledger.acknowledgedStartedAfter(1, Long.MIN_VALUE) >= 3);
            paused.pause();
            try {
                // The pause is the fault under test, not a wait for something to happen.
                Thread.sleep(PAUSE.toMillis());
            } finally {
                paused.resume();
            }
            resumedAt = System.nanoTime();
            exit = paused.superviseBack(Duration.ofSeconds(120));
            backAt = System.nanoTime();
            await("every writer has acknowledged a write started after node " + paused.index + " was back")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> ledger.acknowledgedStartedAfter(0, backAt) >= 1
                            && ledger.acknowledgedStartedAfter(1, backAt) >= 1);
        } finally {
            ledger.stop();
        }

        Convergence convergence = Convergence.awaitOn(cluster, volume, 3, CONVERGENCE_BOUND);
        WriteLedger.Check check = ledger.check(cluster.nodes());
        System.out.printf("[PausedNodeIT] volume %s (id %d): node %d (%s) paused %d s; %s; back in every "
                        + "view %d ms after SIGCONT; writes acknowledged %d, not acknowledged %s; every replica "
                        + "current with equal vectors: %s%n%s%n[PausedNodeIT] reads of %d acknowledged files through 3 "
                        + "nodes: %d lost %s, %d unreadable %s%n",
                volume, id, paused.index, !PAUSE_COORDINATOR ? "a replica's, not the coordinator's"
                        : paused == cluster.node(1) ? "the oldest, its coordinator's" : "its coordinator's",
                PAUSE.toSeconds(),
                exit == -1 ? "it still ran" : "it exited with " + exit + " and was started again",
                TimeUnit.NANOSECONDS.toMillis(backAt - resumedAt), ledger.acknowledged().size(), ledger.failed(),
                convergence.converged() ? convergence.millis() + " ms after the writers stopped"
                        : "NOT within " + CONVERGENCE_BOUND.toSeconds() + " s",
                convergence.describeReplicas(), check.files(), check.lost().size(),
                check.lost().stream().limit(5).toList(), check.unreadable().size(),
                check.unreadable().stream().limit(5).toList());

        assertThat(check.lost()).as("acknowledged writes missing or changed through some node").isEmpty();
        assertThat(convergence.converged()).as("every replica current with equal vectors within %s s:%n%s",
                CONVERGENCE_BOUND.toSeconds(), convergence.describeReplicas()).isTrue();
        assertThat(check.unreadable()).as("acknowledged writes unreadable through some node").isEmpty();
        assertThat(check.files()).as("writes acknowledged").isGreaterThanOrEqualTo(8);
    }
}
