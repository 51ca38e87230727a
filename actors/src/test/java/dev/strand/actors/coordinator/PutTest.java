package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Put;
import dev.strand.volume.RequestDigest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PUT through a volume's coordinator to three real replicas: one COP1 message per replica for the whole create with
 * its contents, the contents readable at every replica, and version vectors equal everywhere after COP2.
 */
class PutTest {

    private static final AtomicLong VOLUME_IDS = new AtomicLong(2400);
    private static final Duration ANSWER = Duration.ofSeconds(10);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** COP1 messages (mutations carrying an operation id) each replica received, by kind. */
    private final Map<String, AtomicInteger> cop1s = new ConcurrentHashMap<>();
    private final CoordinatedReplicas group = new CoordinatedReplicas(testKit, VOLUME_IDS.incrementAndGet(),
            (replica, message) -> {
                if (message instanceof VolumeReplica.CommitPut || message instanceof VolumeReplica.Execute e
                        && e.cop1() != null || message instanceof VolumeReplica.CommitStore) {
                    cop1s.computeIfAbsent(replica + ":" + message.getClass().getSimpleName(),
                            k -> new AtomicInteger()).incrementAndGet();
                }
                return true;
            });

    @BeforeEach
    void start() {
        group.replicas(3, ActorTestSupport.quietSettings());
        group.coordinator(CoordinatedReplicas.settings(Duration.ofSeconds(2), Duration.ofHours(1)));
    }

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    /** Writes {@code text} to a new blob as the connection does, then commits it under {@code name}. */
    private VolumeReplica.Result put(Fid dir, String name, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        UUID blob = UUID.randomUUID();
        group.chunks.registerBlob(group.volumeId, blob).toCompletableFuture().join();
        group.chunks.writeChunk(blob, 0, ByteBuffer.wrap(data)).toCompletableFuture().join();
        String digest = RequestDigest.of(new Put(dir, name, 0640, data));
        long requestId = CoordinatedReplicas.nextRequestId();
        return group.ask(r -> new VolumeReplica.CommitPut(dir, name, 0640, blob, data.length, digest, "put-client",
                requestId, r, null), ANSWER);
    }

    private String contents(int replica, Fid file) {
        group.real.get(replica).tell(new VolumeReplica.OpenForFetch(file, group.client.getRef()));
        var target = group.client.expectMessageClass(VolumeReplica.Result.FetchTarget.class);
        ByteBuffer chunk = group.chunks.readChunk(target.blobId(), 0).toCompletableFuture().join();
        byte[] bytes = new byte[(int) target.blobLength()];
        chunk.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aNewFileWithItsContentsIsOneCop1AtEveryReplicaAndReadsTheSameEverywhere() {
        Attr attr = (Attr) ((VolumeReplica.Result.Done) put(group.root, "small.txt", "hello, replicas")).reply();

        assertThat(attr.type()).isEqualTo(FileType.FILE);
        assertThat(attr.size()).isEqualTo("hello, replicas".length());
        assertThat(attr.mode()).isEqualTo(0640);
        assertThat(cop1s).containsOnlyKeys("0:CommitPut", "1:CommitPut", "2:CommitPut");
        assertThat(cop1s.values()).extracting(AtomicInteger::get).containsOnly(1);
        group.awaitEveryReplicaCurrentWithEqualVectors(Duration.ofSeconds(10), ANSWER);
        Attr atZero = group.attr(0, attr.fid());
        assertThat(atZero.versionVector()).containsExactly(1L, 1L, 1L); // after COP2
        for (int r = 0; r < 3; r++) {
            assertThat(group.attr(r, attr.fid())).as("replica %d", r).isEqualTo(atZero);
            assertThat(contents(r, attr.fid())).as("replica %d", r).isEqualTo("hello, replicas");
        }
    }

    @Test
    void aSecondPutReplacesTheContentsOfTheSameFileKeepingItsFid() {
        Attr first = (Attr) ((VolumeReplica.Result.Done) put(group.root, "f", "one")).reply();
        Attr second = (Attr) ((VolumeReplica.Result.Done) put(group.root, "f", "two, longer")).reply();

        assertThat(second.fid()).isEqualTo(first.fid());
        assertThat(second.size()).isEqualTo("two, longer".length());
        assertThat(second.dataVersion()).isGreaterThan(first.dataVersion());
        for (int r = 0; r < 3; r++) {
            assertThat(contents(r, first.fid())).isEqualTo("two, longer");
        }
        group.awaitEveryReplicaCurrentWithEqualVectors(Duration.ofSeconds(10), ANSWER);
    }

    @Test
    void aDirectoryOfThatNameOrAMissingParentIsRefusedWithTheirStatus() {
        Attr dir = (Attr) group.mutate(new MkDir(group.root, "d", 0755), ANSWER).reply();

        assertThat(put(group.root, "d", "x")).isEqualTo(new VolumeReplica.Result.Rejected(Status.IS_A_DIRECTORY,
                ((VolumeReplica.Result.Rejected) put(group.root, "d", "x")).message()));
        assertThat(((VolumeReplica.Result.Rejected) put(new Fid(group.volumeId, 999_999, 1), "f", "x")).status())
                .isEqualTo(Status.STALE);
        assertThat(((VolumeReplica.Result.Rejected) put(dir.fid(), "bad/name", "x")).status())
                .isEqualTo(Status.BAD_NAME);
        assertThat(group.names(0)).isEqualTo(List.of("d"));
    }
}
