package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resolution figure, as a benchmark (it prints figures and JSON, asserts no time): a directory that
 * diverged on two replicas, each side creating {@code strand.bench.per-side} names in it while cut from the other
 * (the second side as a partition's other half with its own coordinator would), then the link comes back, the
 * group is checked at once (as {@code strand repair check} does) and the time until every replica is current with
 * equal vectors is measured, next to the time the partitioned updates took.
 *
 * <p>In one JVM with Pekko's in-memory journal: it measures the resolution protocol and the planner, not
 * Cassandra's writes. The replicas' resolution log limit is raised to hold every entry (the default 500 would make
 * this a full comparison). Not a *Test: {@code mvn test} does not run it;
 * {@code mvn -pl actors -am test -Dtest=ResolutionBench -Dsurefire.failIfNoSpecifiedTests=false} does. Parameters:
 * {@code strand.bench.per-side} (5000), {@code strand.bench.runs} (5). Writes target/resolution-bench.json.
 */
class ResolutionBench {

    private static final AtomicLong ALONE_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 40));
    private static final Duration RESOLVED_BOUND = Duration.ofMinutes(5);

    private record Run(int perSide, long partitionedMillis, long resolvedMillis) {}

    @Test
    void run() throws IOException {
        int perSide = Integer.getInteger("strand.bench.per-side", 5000);
        int runs = Integer.getInteger("strand.bench.runs", 5);
        List<Run> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Run run = once(1000 + i, perSide);
            results.add(run);
            System.out.printf("[ResolutionBench] run %d: %d names per side; partitioned updates %d ms;"
                    + " resolution %d ms (%.1f%% of the updates)%n", i + 1, perSide, run.partitionedMillis(),
                    run.resolvedMillis(), 100.0 * run.resolvedMillis() / run.partitionedMillis());
        }
        long medianResolved = median(results.stream().map(Run::resolvedMillis).toList());
        long medianPartitioned = median(results.stream().map(Run::partitionedMillis).toList());
        System.out.printf("[ResolutionBench] median of %d: a directory of %d entries (%d per side) resolved in %d ms;"
                + " its partitioned updates took %d ms (%.1f%%)%n", runs, 2 * perSide, perSide, medianResolved,
                medianPartitioned, 100.0 * medianResolved / medianPartitioned);
        String json = String.format("{\"entries\":%d,\"perSide\":%d,\"runs\":%d,\"medianResolvedMillis\":%d,"
                        + "\"medianPartitionedMillis\":%d,\"resolvedMillis\":%s,\"partitionedMillis\":%s}%n",
                2 * perSide, perSide, runs, medianResolved, medianPartitioned,
                results.stream().map(Run::resolvedMillis).toList(), results.stream().map(Run::partitionedMillis)
                        .toList());
        System.out.print(json);
        Files.writeString(Path.of("target", "resolution-bench.json"), json);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private Run once(long volumeId, int perSide) {
        ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
        try {
            CoordinatedReplicas group = new CoordinatedReplicas(testKit, volumeId, (replica, message) -> true);
            TestProbe<VolumeReplica.Result> client = group.client;
            VolumeSettings quiet = ActorTestSupport.quietSettings();
            group.replicas(2, new VolumeSettings(quiet.blobDeleteDelay(), quiet.sweepInterval(), quiet.idleBlobAge(),
                    quiet.snapshotEvery(), quiet.snapshotsToKeep(), quiet.cop2Expiry(), 4 * perSide));
            // replica timeout 5 s: the cut replica costs the first create that wait; it is behind from then on
            group.coordinator(CoordinatedReplicas.settings(Duration.ofSeconds(5), Duration.ofHours(1)));

            Fid dir = ((Attr) group.mutate(new MkDir(group.root, "shared", 0755), Duration.ofSeconds(10)).reply())
                    .fid();
            awaitCurrent(group, Duration.ofSeconds(30)); // the mkdir's COP2 reached both

            group.cut.get(1).set(true);
            long start = System.nanoTime();
            for (int i = 0; i < perSide; i++) {
                group.mutate(new Create(dir, "made-by-the-coordinator-side-" + i, 0644, true), Duration.ofSeconds(10));
                group.alone(List.of(1), ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(),
                        new Create(dir, "made-on-the-other-side-" + i, 0644, true));
            }
            long partitioned = (System.nanoTime() - start) / 1_000_000;

            long healed = System.nanoTime();
            group.cut.get(1).set(false);
            group.coordinator.tell(new VolumeReplica.CheckGroup(client.getRef())); // as `strand repair check`: at once
            client.expectMessageClass(VolumeReplica.Result.GroupChecked.class, Duration.ofSeconds(30));
            awaitCurrent(group, RESOLVED_BOUND);
            long resolved = (System.nanoTime() - healed) / 1_000_000;
            assertThat(group.stats(Duration.ofSeconds(30)).group()).extracting(ReplicaSummary::conflicts)
                    .as("nothing in conflict").containsOnly(0);
            return new Run(perSide, partitioned, resolved);
        } finally {
            testKit.shutdownTestKit();
        }
    }

    /** As the fixture's wait, polling every 20 ms: the poll's period is part of the figure. */
    private static void awaitCurrent(CoordinatedReplicas group, Duration bound) {
        group.client.awaitAssert(bound, Duration.ofMillis(20), () -> {
            VolumeReplica.Result.Stats stats = group.stats(Duration.ofSeconds(30));
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::versionVector)
                    .containsOnly(stats.group().get(0).versionVector());
            return null;
        });
    }
}
