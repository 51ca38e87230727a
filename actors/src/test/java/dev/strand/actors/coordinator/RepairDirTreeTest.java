package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.ReplicaVersion;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code strand repair dir} of a name bound to directories on two real replicas: both sides of a partition made
 * /build and wrote in it (replica 1 cut off from the coordinator while it applies its operations alone); resolution
 * marks NAME_NAME on /build, and the repair settles it with the directories' whole subtrees.
 */
class RepairDirTreeTest {

    private static final AtomicLong VOLUME_IDS = new AtomicLong(1900);
    private static final AtomicLong ALONE_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 40));
    private static final Duration RESOLVED = Duration.ofSeconds(30);
    private static final Duration ANSWER = Duration.ofSeconds(10);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** The subtree pages read and the parts staged, as the replicas received them. */
    private final AtomicLong subtreePages = new AtomicLong();
    private final AtomicLong stagedParts = new AtomicLong();
    private final CoordinatedReplicas group = new CoordinatedReplicas(testKit, VOLUME_IDS.incrementAndGet(),
            (replica, message) -> {
                if (message instanceof VolumeReplica.ReadSubtree) {
                    subtreePages.incrementAndGet();
                } else if (message instanceof VolumeReplica.StageRepair) {
                    stagedParts.incrementAndGet();
                }
                return true;
            });
    private final TestProbe<VolumeReplica.Result> client = group.client;
    private final Fid root = group.root;
    private final List<ActorRef<VolumeReplica.Command>> real = group.real;
    private final List<AtomicBoolean> cut = group.cut;

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private VolumeReplica.Result ask(Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        return group.ask(command, ANSWER);
    }

    private Attr mutate(Request request) {
        return (Attr) group.mutate(request, ANSWER).reply();
    }

    private Attr alone(Request request) {
        return (Attr) group.alone(List.of(1), ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(), request)
                .reply();
    }

    /** The trees the two sides made: per side, path below /build to fid ("" is /build). */
    private record Sides(Map<String, Fid> zero, Map<String, Fid> one) {}

    /**
     * Replica 0 (through the coordinator) makes /build/a, /build/sub/deep/f and {@code more} files in /build;
     * replica 1 alone makes /build/b. The heal ends with every replica current and one NAME_NAME conflict on /build.
     */
    private Sides divergeWithBuildOnBothSides(int more) {
        group.replicas(2, ActorTestSupport.quietSettings());
        group.coordinator(CoordinatedReplicas.settings(Duration.ofMillis(500), Duration.ofHours(1)));
        mutate(new Create(root, "untouched", 0644, true));
        cut.get(1).set(true);
        Map<String, Fid> zero = new TreeMap<>();
        Fid build = mutate(new MkDir(root, "build", 0755)).fid();
        zero.put("", build);
        zero.put("a", mutate(new Create(build, "a", 0644, true)).fid());
        Fid sub = mutate(new MkDir(build, "sub", 0755)).fid();
        zero.put("sub", sub);
        Fid deep = mutate(new MkDir(sub, "deep", 0755)).fid();
        zero.put("sub/deep", deep);
        zero.put("sub/deep/f", mutate(new Create(deep, "f", 0644, true)).fid());
        for (int i = 0; i < more; i++) { // about 110 bytes each: past one message between nodes
            String name = "an-object-file-name-long-enough-that-the-directory-outgrows-one-message-" + i;
            zero.put(name, mutate(new Create(build, name, 0644, true)).fid());
        }
        Map<String, Fid> one = new TreeMap<>();
        Fid theirs = alone(new MkDir(root, "build", 0755)).fid();
        one.put("", theirs);
        one.put("b", alone(new Create(theirs, "b", 0644, true)).fid());
        cut.get(1).set(false);
        group.awaitEveryReplicaCurrentWithEqualVectors(RESOLVED, ANSWER);
        VolumeReplica.Result.ConflictsPage page = (VolumeReplica.Result.ConflictsPage) ask(
                q -> new VolumeReplica.ListConflicts(0, 0, q));
        assertThat(page.conflicts()).singleElement().satisfies(e -> {
            assertThat(e.conflict().kind()).isEqualTo("NAME_NAME");
            assertThat(e.conflict().paths()).contains("/build");
        });
        return new Sides(zero, one);
    }

    @Test
    void keepingOneReplicasDirectoryInstallsItsSubtreeEverywhereAndDropsTheOther() {
        Sides sides = divergeWithBuildOnBothSides(0);
        Map<Fid, List<Long>> before = new java.util.HashMap<>();
        for (Fid f : List.of(root, sides.zero().get(""), sides.zero().get("a"))) {
            before.put(f, version(0, f).versionVector());
        }

        assertThat(ask(r -> new VolumeReplica.RepairDir(root, List.of("build"), List.of(0), false, r)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(group.stats(ANSWER).group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        for (int r = 0; r < 2; r++) {
            assertThat(tree(r, root)).as("replica " + r).containsEntry("/build", sides.zero().get(""))
                    .containsEntry("/build/sub/deep/f", sides.zero().get("sub/deep/f"))
                    .doesNotContainKey("/build/b").containsKey("/untouched");
            for (Fid gone : sides.one().values()) {
                real.get(r).tell(new VolumeReplica.Validate(gone, client.getRef()));
                assertThat(client.receiveMessage()).as("replica 1's %s is gone from replica %d", gone, r)
                        .isInstanceOf(VolumeReplica.Result.Rejected.class);
            }
        }
        assertEveryReplicaHoldsTheSameTree();
        assertThat(stagedParts.get()).as("a small repair goes in one message").isZero();
        for (Map.Entry<Fid, List<Long>> earlier : before.entrySet()) {
            assertThat(VersionVector.fromList(version(1, earlier.getKey()).versionVector())
                    .compare(VersionVector.fromList(earlier.getValue())))
                    .as("%s after the repair against before", earlier.getKey()).isEqualTo(VersionOrder.DOMINATES);
        }
        // the volume serves again, in the kept directory too
        mutate(new Create(sides.zero().get("sub"), "after", 0644, true));
        assertThat(tree(1, root)).containsKey("/build/sub/after");
    }

    @Test
    void keepingTheOtherWithRenameOthersKeepsBothSubtreesUnderTheirNames() {
        Sides sides = divergeWithBuildOnBothSides(0);

        assertThat(ask(r -> new VolumeReplica.RepairDir(root, List.of("build"), List.of(1), true, r)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(group.stats(ANSWER).group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        for (int r = 0; r < 2; r++) {
            assertThat(tree(r, root)).as("replica " + r).containsEntry("/build", sides.one().get(""))
                    .containsEntry("/build/b", sides.one().get("b"))
                    .containsEntry("/build.conflict-r0", sides.zero().get(""))
                    .containsEntry("/build.conflict-r0/sub/deep/f", sides.zero().get("sub/deep/f"));
        }
        assertEveryReplicaHoldsTheSameTree();
    }

    /** A kept directory larger than one message between nodes: read in pages, staged in parts, one write. */
    @Test
    void aDirectoryLargerThanOneMessageIsReadAndInstalledInParts() {
        Sides sides = divergeWithBuildOnBothSides(1_300);

        assertThat(ask(r -> new VolumeReplica.RepairDir(root, List.of("build"), List.of(0), false, r)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(group.stats(ANSWER).group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        Map<String, Fid> onOne = tree(1, root);
        for (Map.Entry<String, Fid> made : sides.zero().entrySet()) {
            assertThat(onOne).containsEntry(made.getKey().isEmpty() ? "/build" : "/build/" + made.getKey(),
                    made.getValue());
        }
        assertEveryReplicaHoldsTheSameTree();
        assertThat(subtreePages.get()).as("replica 0's /build read in several pages").isGreaterThan(2);
        assertThat(stagedParts.get()).as("staged in several parts on each replica").isGreaterThanOrEqualTo(4);
    }

    @Test
    void aReplicaThatDoesNotAnswerChangesNothing() {
        Sides sides = divergeWithBuildOnBothSides(0);
        cut.get(1).set(true);

        assertThat(ask(r -> new VolumeReplica.RepairDir(root, List.of("build"), List.of(0), true, r)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
                    assertThat(rejected.status()).isEqualTo(Status.UNAVAILABLE);
                    assertThat(rejected.message()).contains("replica 1", "nothing was changed");
                });
        cut.get(1).set(false);
        assertThat(group.stats(ANSWER).group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        assertThat(group.names(1)).containsExactlyInAnyOrder("build", "untouched");
        VolumeReplica.Result.ObjectVersions shown = (VolumeReplica.Result.ObjectVersions) ask(
                r -> new VolumeReplica.ReadObjectVersion(root, "build", r));
        assertThat(shown.versions()).extracting(v -> v.vnode().vnode()).as("each replica keeps its own directory")
                .containsExactly(sides.zero().get("").vnode(), sides.one().get("").vnode());
    }

    /** Both replicas hold the same names bound to the same objects, each with the same version on both. */
    private void assertEveryReplicaHoldsTheSameTree() {
        Map<String, Fid> first = tree(0, root);
        assertThat(tree(1, root)).isEqualTo(first);
        for (Fid f : first.values()) {
            assertThat(version(1, f).versionVector()).as(f.toString()).isEqualTo(version(0, f).versionVector());
            assertThat(version(1, f).dataVersion()).as(f.toString()).isEqualTo(version(0, f).dataVersion());
        }
        assertThat(version(1, root).versionVector()).isEqualTo(version(0, root).versionVector());
    }

    /** Every path below {@code dir} on replica {@code r} (its own reads), to the fid it binds. */
    private Map<String, Fid> tree(int r, Fid dir) {
        Map<String, Fid> paths = new TreeMap<>();
        walk(r, dir, "", paths);
        return paths;
    }

    private void walk(int r, Fid dir, String path, Map<String, Fid> paths) {
        List<dev.strand.protocol.message.DirEntry> entries = new ArrayList<>();
        ReadDirReply page;
        do {
            String after = entries.isEmpty() ? null : entries.get(entries.size() - 1).name();
            real.get(r).tell(new VolumeReplica.Execute(new ReadDir(dir, after, 1000, false), "c",
                    CoordinatedReplicas.nextRequestId(), client.getRef()));
            page = (ReadDirReply) client.expectMessageClass(VolumeReplica.Result.Done.class).reply();
            entries.addAll(page.entries());
        } while (!page.eof() && !page.entries().isEmpty());
        for (var e : entries) {
            paths.put(path + "/" + e.name(), e.fid());
            if (e.type() == FileType.DIRECTORY) {
                walk(r, e.fid(), path + "/" + e.name(), paths);
            }
        }
    }

    /** Replica {@code r}'s own version of {@code fid}. */
    private ReplicaVersion version(int r, Fid fid) {
        real.get(r).tell(new VolumeReplica.Validate(fid, client.getRef()));
        return client.expectMessageClass(VolumeReplica.Result.Validation.class).replicas().get(0);
    }
}
