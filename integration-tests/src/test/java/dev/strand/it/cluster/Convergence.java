package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.VolumeInfo;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Whether, and how soon, every replica of a volume is {@code current} with equal version vectors (what
 * {@code strand volume info} shows), and the replicas' states as last seen.
 *
 * @param converged    every replica current with equal vectors within the bound
 * @param millis       from the start of the wait until then (or the whole bound when not converged)
 * @param replicas     the replicas as last seen (empty if VOLUME_INFO never answered)
 * @param lastProblem  when never seen: the last VOLUME_INFO error
 */
record Convergence(boolean converged, long millis, List<ReplicaInfo> replicas, String lastProblem) {

    /** Asks VOLUME_INFO (through any node) every 500 ms until the replicas converged, at most {@code bound}. */
    static Convergence awaitOn(ProcessCluster cluster, String volume, int replicas, Duration bound) {
        long from = System.nanoTime();
        AtomicReference<List<ReplicaInfo>> last = new AtomicReference<>(List.of());
        AtomicReference<String> problem = new AtomicReference<>("");
        boolean converged;
        try (BlockingStrandClient admin = cluster.clientOfAll(0)) {
            await("every replica of " + volume + " current with equal vectors").atMost(bound)
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        try {
                            VolumeInfo info = admin.async().volumeInfo(volume).get(10, TimeUnit.SECONDS);
                            last.set(info.replicaInfo());
                            return converged(info.replicaInfo(), replicas);
                        } catch (Exception e) {
                            problem.set(String.valueOf(e));
                            return false;
                        }
                    });
            converged = true;
        } catch (ConditionTimeoutException e) {
            converged = false;
        } catch (RuntimeException e) { // no node took the connection
            problem.set(String.valueOf(e));
            converged = false;
        }
        return new Convergence(converged, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - from), last.get(),
                problem.get());
    }

    static boolean converged(List<ReplicaInfo> infos, int replicas) {
        return infos.size() == replicas
                && infos.stream().allMatch(r -> r.available() && "current".equals(r.state()))
                && infos.stream().map(ReplicaInfo::versionVector).distinct().count() == 1;
    }

    /** One line per replica: entity, node, state, vector, pending COP2, resolution log, conflicts. */
    String describeReplicas() {
        if (replicas.isEmpty()) {
            return "  (VOLUME_INFO did not answer: " + lastProblem + ")";
        }
        return replicas.stream().map(r -> "  replica " + r.entityId() + " on " + r.node() + ": " + r.state()
                        + ", vector " + r.versionVector() + ", pending COP2 " + r.pendingCop2() + ", resolution log "
                        + r.resolutionLogEntries() + ", conflicts " + r.conflicts())
                .collect(Collectors.joining("\n"));
    }
}
