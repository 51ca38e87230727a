package dev.strand.it.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strand.client.BlockingStrandClient;
import dev.strand.it.support.SharedCassandra;
import dev.strand.protocol.message.ReplicaInfo;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outside testers' kill-and-pause loop, as a tool (docs/operations.md, "Testing failures"): a cluster of
 * server processes on loopback (the shared test Cassandra), a volume of three replicas, one writer per node writing
 * files of unique contents through that node's client port and recording every acknowledged write, and a number of
 * rounds, each of which picks a random node and either kills it with {@code kill -9} (then starts it again at once,
 * as a supervisor would) or pauses it with SIGSTOP for the pause length, then SIGCONT (and, if the others downed it
 * meanwhile and it exited, starts it again). Before each fault the writers write unhindered for the gap; a round
 * ends once every node runs and sees every other Up. After the last round the writers stop, the tool waits
 * (bounded) until every replica is current with equal version vectors, and reads every acknowledged file through
 * every node. It prints the figures and a JSON summary (also written to target/kill-pause-loop.json), then fails if
 * a write was lost, the replicas did not converge, or a read failed.
 *
 * <p>Not an *IT: {@code mvn verify} does not run it; {@code -Dit.test=KillPauseLoop} does. Parameters (system
 * properties): {@code strand.chaos.rounds} (20), {@code .pause-seconds} (25), {@code .writers} (one per node),
 * {@code .seed} (random, printed), {@code .nodes} (3), {@code .gap-seconds} (10), {@code .convergence-seconds}
 * (300), {@code .write-interval-ms} (100). Everything it starts, it stops (by PID, via its Process handles).
 */
class KillPauseLoop {
    private static final String PREFIX = "strand.chaos.";
    /** Per round: a node back, rejoined and seen Up by all (a start takes 15-30 s on 2 busy cores). */
    private static final Duration ROUND_RECOVERY_BOUND = Duration.ofSeconds(180);

    private enum Fault { KILL, PAUSE }

    private record Round(int round, int node, Fault fault, long faultMillis, int exitCode, long backMillis,
                         long ackedBefore, long ackedAfter) {}

    @Test
    void run() throws Exception {
        int rounds = Integer.getInteger(PREFIX + "rounds", 20);
        Duration pause = Duration.ofSeconds(Long.getLong(PREFIX + "pause-seconds", 25));
        int nodes = Integer.getInteger(PREFIX + "nodes", 3);
        int writers = Integer.getInteger(PREFIX + "writers", nodes);
        long seed = Long.getLong(PREFIX + "seed", System.nanoTime() & 0xffff_ffffL);
        Duration gap = Duration.ofSeconds(Long.getLong(PREFIX + "gap-seconds", 10));
        Duration convergenceBound = Duration.ofSeconds(Long.getLong(PREFIX + "convergence-seconds", 300));
        Duration writeInterval = Duration.ofMillis(Long.getLong(PREFIX + "write-interval-ms", 100));
        if (rounds < 1 || rounds > 200 || nodes < 3 || nodes > 5 || writers < 1 || writers > 20
                || pause.isNegative() || pause.toSeconds() > 600) {
            throw new IllegalArgumentException("rounds 1..200, nodes 3..5, writers 1..20, pause 0..600 s");
        }
        // Each round is bounded (fault, recovery, gap): so is the whole loop, and the writers with it.
        Duration writingBound = pause.plus(ROUND_RECOVERY_BOUND).plus(gap).multipliedBy(rounds).plusMinutes(5);
        System.out.printf("[KillPauseLoop] seed %d: %d rounds, %d nodes, %d writers, pauses of %d s, %d s of writing "
                        + "before each round%n", seed, rounds, nodes, writers, pause.toSeconds(), gap.toSeconds());

        Random random = new Random(seed);
        List<Round> done = new ArrayList<>();
        String aborted = null;
        WriteLedger ledger;
        Convergence convergence;
        WriteLedger.Check check;
        long lastFaultEnd;
        long lastBack;
        long started = System.nanoTime();
        try (ProcessCluster cluster = ProcessCluster.start(nodes, SharedCassandra.uniqueKeyspace("chaos"))) {
            String volume = "chaos";
            long volumeId;
            try (BlockingStrandClient admin = cluster.clientOfAll(0)) {
                volumeId = admin.volumeCreate(volume, 3).id();
                admin.mkdir("/" + volume + "/before"); // starts the volume's coordinator
            }
            await("the three replicas on three nodes").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> cluster.placedApart(volumeId, 3));
            List<ProcessCluster.Node> writerNodes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                writerNodes.add(cluster.node(w % nodes + 1));
            }
            ledger = WriteLedger.start(writerNodes, volume, seed, writeInterval, 100_000, writingBound);
            lastFaultEnd = System.nanoTime();
            lastBack = lastFaultEnd;
            try {
                await("every writer has acknowledged a write").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(() -> allWrote(ledger, Long.MIN_VALUE));
                for (int r = 1; r <= rounds && aborted == null; r++) {
                    Thread.sleep(gap.toMillis()); // writing without faults before each round
                    ProcessCluster.Node victim = cluster.node(random.nextInt(nodes) + 1);
                    Fault fault = random.nextBoolean() ? Fault.KILL : Fault.PAUSE;
                    long ackedBefore = ledger.acknowledged().size();
                    long faultAt = System.nanoTime();
                    if (fault == Fault.KILL) {
                        victim.kill();
                    } else {
                        victim.pause();
                        try {
                            Thread.sleep(pause.toMillis()); // the fault itself, not a wait for something
                        } finally {
                            victim.resume();
                        }
                    }
                    lastFaultEnd = System.nanoTime();
                    int exit;
                    try {
                        exit = victim.superviseBack(ROUND_RECOVERY_BOUND);
                    } catch (RuntimeException e) {
                        aborted = "round " + r + ": node " + victim.index + " did not come back: " + e.getMessage()
                                + "\n" + cluster.describe();
                        break;
                    }
                    lastBack = System.nanoTime();
                    Round round = new Round(r, victim.index, fault, millis(lastFaultEnd - faultAt), exit,
                            millis(lastBack - lastFaultEnd), ackedBefore, ledger.acknowledged().size());
                    done.add(round);
                    System.out.printf("[KillPauseLoop] round %d: %s node %d (%d ms)%s, back in every view %d ms "
                                    + "later; writes acknowledged %d -> %d%n", r, fault == Fault.KILL ? "kill -9"
                                    : "SIGSTOP", victim.index, round.faultMillis(),
                            exit == -1 ? "" : ", exited " + exit + ", started again", round.backMillis(),
                            ackedBefore, round.ackedAfter());
                }
            } finally {
                ledger.stop();
            }
            long writersStopped = System.nanoTime();
            convergence = Convergence.awaitOn(cluster, volume, 3, convergenceBound);
            long sinceLastFault = millis(writersStopped - lastFaultEnd) + convergence.millis();
            long sinceBack = millis(writersStopped - lastBack) + convergence.millis();
            check = ledger.check(cluster.nodes());

            Map<String, Object> summary = summary(seed, rounds, pause, nodes, writers, done, aborted, ledger,
                    convergence, sinceLastFault, sinceBack, check, millis(System.nanoTime() - started));
            report(summary, convergence, check);
        }
        assertThat(aborted).as("the loop ran every round").isNull();
        assertThat(check.lostPaths()).as("lost acknowledged writes").isEmpty();
        assertThat(convergence.converged()).as("every replica current with equal vectors within %s s",
                convergenceBound.toSeconds()).isTrue();
        assertThat(check.unreadable()).as("acknowledged writes unreadable through some node").isEmpty();
    }

    private static boolean allWrote(WriteLedger ledger, long afterNanos) {
        for (int w = 0; w < ledger.writers(); w++) {
            if (ledger.acknowledgedStartedAfter(w, afterNanos) == 0) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> summary(long seed, int rounds, Duration pause, int nodes, int writers,
                                               List<Round> done, String aborted, WriteLedger ledger,
                                               Convergence convergence, long sinceLastFault, long sinceBack,
                                               WriteLedger.Check check, long totalMillis) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seed", seed);
        s.put("roundsAsked", rounds);
        s.put("roundsRun", done.size());
        s.put("aborted", aborted);
        s.put("nodes", nodes);
        s.put("writers", writers);
        s.put("pauseSeconds", pause.toSeconds());
        Map<String, Long> faults = new TreeMap<>();
        done.forEach(r -> faults.merge(r.fault().name().toLowerCase(), 1L, Long::sum));
        s.put("faults", faults);
        s.put("pausedNodesThatExitedAndWereRestarted",
                done.stream().filter(r -> r.fault() == Fault.PAUSE && r.exitCode() != -1).count());
        s.put("rounds", done.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r.round());
            m.put("node", r.node());
            m.put("fault", r.fault().name().toLowerCase());
            m.put("faultMillis", r.faultMillis());
            m.put("exitCode", r.exitCode() == -1 ? null : r.exitCode());
            m.put("backInEveryViewMillis", r.backMillis());
            m.put("acknowledgedBefore", r.ackedBefore());
            m.put("acknowledgedAfter", r.ackedAfter());
            return m;
        }).toList());
        s.put("writesAcknowledged", check.files());
        s.put("writesNotAcknowledged", ledger.failedCount());
        s.put("writesNotAcknowledgedByOutcome", ledger.failed());
        s.put("firstFailures", ledger.firstFailures());
        s.put("connectFailures", ledger.connectFailures());
        s.put("lostAcknowledgedWrites", check.lostPaths().size());
        s.put("lost", check.lost().stream().limit(20).toList());
        s.put("readsFailed", check.unreadable().size());
        s.put("readsFailedFirst", check.unreadable().stream().limit(20).toList());
        s.put("readsDone", check.reads());
        s.put("converged", convergence.converged());
        s.put("convergenceMillisAfterLastFault", convergence.converged() ? sinceLastFault : null);
        s.put("convergenceMillisAfterLastNodeBack", convergence.converged() ? sinceBack : null);
        s.put("convergenceWaitMillis", convergence.millis());
        s.put("replicas", convergence.replicas().stream().map(KillPauseLoop::replica).toList());
        s.put("totalSeconds", totalMillis / 1000);
        return s;
    }

    private static Map<String, Object> replica(ReplicaInfo r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replica", r.entityId());
        m.put("node", r.node());
        m.put("state", r.state());
        m.put("versionVector", r.versionVector());
        m.put("pendingCop2", r.pendingCop2());
        m.put("resolutionLogEntries", r.resolutionLogEntries());
        m.put("conflicts", r.conflicts());
        return m;
    }

    private static void report(Map<String, Object> summary, Convergence convergence, WriteLedger.Check check)
            throws Exception {
        System.out.printf("[KillPauseLoop] %s rounds run (faults %s), %s paused nodes exited and were started again%n",
                summary.get("roundsRun"), summary.get("faults"), summary.get("pausedNodesThatExitedAndWereRestarted"));
        if (summary.get("aborted") != null) {
            System.out.printf("[KillPauseLoop] ABORTED: %s%n", summary.get("aborted"));
        }
        System.out.printf("[KillPauseLoop] writes acknowledged %s, not acknowledged %s %s%n",
                summary.get("writesAcknowledged"), summary.get("writesNotAcknowledged"),
                summary.get("writesNotAcknowledgedByOutcome"));
        System.out.printf("[KillPauseLoop] lost acknowledged writes: %d (%d reads through every node; %d failed)%s%n",
                check.lostPaths().size(), check.reads(), check.unreadable().size(),
                check.lost().isEmpty() ? "" : ": " + check.lost().stream().limit(10).toList());
        if (convergence.converged()) {
            System.out.printf("[KillPauseLoop] every replica current with equal vectors %s ms after the last fault "
                            + "ended (%s ms after that node was back in every view)%n",
                    summary.get("convergenceMillisAfterLastFault"), summary.get("convergenceMillisAfterLastNodeBack"));
        } else {
            System.out.printf("[KillPauseLoop] did NOT converge within %d ms of the writers stopping; replicas:%n",
                    convergence.millis());
        }
        System.out.println(convergence.describeReplicas());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String text = json.writeValueAsString(summary);
        Path file = Path.of("target", "kill-pause-loop.json").toAbsolutePath();
        Files.writeString(file, text);
        System.out.println("[KillPauseLoop] summary (" + file + "):");
        System.out.println(text);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
