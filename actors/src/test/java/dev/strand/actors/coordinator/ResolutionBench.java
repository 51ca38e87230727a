package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop1;
import dev.strand.actors.registry.MinReplicas;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.cop2.OperationIds;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Attr;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private static final AtomicLong REQUEST_IDS = new AtomicLong(1);
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
            TestProbe<VolumeReplica.Result> client = testKit.createTestProbe();
            Fid root = Fid.root(volumeId);
            List<ActorRef<VolumeReplica.Command>> real = new ArrayList<>();
            AtomicBoolean cut = new AtomicBoolean();
            ActorRef<VolumeReplica.Command> coordinator = start(testKit, client, volumeId, perSide, real, cut);

            VolumeReplica.Command mkdir = new VolumeReplica.Execute(new MkDir(root, "shared", 0755), "bench",
                    REQUEST_IDS.incrementAndGet(), client.getRef());
            coordinator.tell(mkdir);
            Fid dir = ((Attr) client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(10))
                    .reply()).fid();
            awaitCurrent(coordinator, client, Duration.ofSeconds(30)); // the mkdir's COP2 reached both

            cut.set(true);
            long start = System.nanoTime();
            for (int i = 0; i < perSide; i++) {
                coordinator.tell(new VolumeReplica.Execute(new Create(dir, "made-by-the-coordinator-side-" + i, 0644,
                        true), "bench", REQUEST_IDS.incrementAndGet(), client.getRef()));
                client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(10));
                real.get(1).tell(new VolumeReplica.Execute(new Create(dir, "made-on-the-other-side-" + i, 0644, true),
                        "other-side", REQUEST_IDS.incrementAndGet(), client.getRef(),
                        new Cop1(ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(), List.of())));
                client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(10));
            }
            long partitioned = (System.nanoTime() - start) / 1_000_000;

            long healed = System.nanoTime();
            cut.set(false);
            coordinator.tell(new VolumeReplica.CheckGroup(client.getRef())); // as `strand repair check`: at once
            client.expectMessageClass(VolumeReplica.Result.GroupChecked.class, Duration.ofSeconds(30));
            awaitCurrent(coordinator, client, RESOLVED_BOUND);
            long resolved = (System.nanoTime() - healed) / 1_000_000;
            VolumeReplica.Result.Stats stats = stats(coordinator, client);
            assertThat(stats.group()).extracting(ReplicaSummary::conflicts).as("nothing in conflict").containsOnly(0);
            return new Run(perSide, partitioned, resolved);
        } finally {
            testKit.shutdownTestKit();
        }
    }

    private static ActorRef<VolumeReplica.Command> start(ActorTestKit testKit, TestProbe<VolumeReplica.Result> client,
                                                         long volumeId, int perSide,
                                                         List<ActorRef<VolumeReplica.Command>> real,
                                                         AtomicBoolean cut) {
        InMemoryChunkStore chunks = new InMemoryChunkStore(() -> 0L);
        VolumeSettings quiet = ActorTestSupport.quietSettings();
        VolumeSettings settings = new VolumeSettings(quiet.blobDeleteDelay(), quiet.sweepInterval(),
                quiet.idleBlobAge(), quiet.snapshotEvery(), quiet.snapshotsToKeep(), quiet.cop2Expiry(),
                4 * perSide);
        Map<String, RecipientRef<VolumeReplica.Command>> refs = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            String entityId = VolumeReplica.entityId(volumeId, r);
            ids.add(entityId);
            ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks, settings));
            replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), 2));
            client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(20));
            real.add(replica);
            boolean cuttable = r == 1;
            refs.put(entityId, testKit.spawn(Behaviors.<VolumeReplica.Command>receiveMessage(message -> {
                if (!(cuttable && cut.get())) {
                    replica.tell(message);
                }
                return Behaviors.same();
            })));
        }
        VolumeRegistry.VolumeRecord record = new VolumeRegistry.VolumeRecord(volumeId, "vol", 2, 1, ids,
                MinReplicas.normalize(MinReplicas.ONE));
        AtomicLong nextLease = new AtomicLong(OperationIds.FIRST);
        Behavior<VolumeRegistry.Command> registry = Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(nextLease.getAndAdd(1000), 1000));
            }
            return Behaviors.same();
        });
        // Replica timeout 5 s (the cut replica costs the first create that wait; it is behind from then on). After the heal the benchmark asks for a check at once (as `strand repair check`).
        return testKit.spawn(VolumeCoordinator.create(volumeId, refs::get, testKit.spawn(registry), chunks,
                new VolumeCoordinator.Settings(Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofHours(1),
                        Duration.ZERO)));
    }

    private static VolumeReplica.Result.Stats stats(ActorRef<VolumeReplica.Command> coordinator,
                                                    TestProbe<VolumeReplica.Result> client) {
        coordinator.tell(new VolumeReplica.GetStats(client.getRef()));
        return (VolumeReplica.Result.Stats) client.receiveMessage(Duration.ofSeconds(30));
    }

    private static void awaitCurrent(ActorRef<VolumeReplica.Command> coordinator,
                                     TestProbe<VolumeReplica.Result> client, Duration bound) {
        client.awaitAssert(bound, Duration.ofMillis(20), () -> {
            VolumeReplica.Result.Stats stats = stats(coordinator, client);
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::versionVector)
                    .containsOnly(stats.group().get(0).versionVector());
            return null;
        });
    }
}
