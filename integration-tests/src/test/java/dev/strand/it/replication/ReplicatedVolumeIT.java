package dev.strand.it.replication;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.server.SharedStrandServer;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.ReplicaVersionInfo;
import dev.strand.protocol.message.ValidateReply;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A volume of three replicas on one in-process node (placement on different nodes is the cluster's part):
 * several clients write through the coordinator; once COP2 has run every replica has every object with
 * the same version vector, as VALIDATE and the volume info show.
 */
class ReplicatedVolumeIT {
    private static final int CLIENTS = 4;
    private static final int FILES_PER_CLIENT = 15;

    private static final List<BlockingStrandClient> clients = new ArrayList<>();
    private static ExecutorService pool;

    @BeforeAll
    static void connect() {
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(SharedStrandServer.address()))));
        }
        pool = Executors.newFixedThreadPool(CLIENTS);
    }

    @AfterAll
    static void close() {
        clients.forEach(BlockingStrandClient::close);
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private static void write(BlockingStrandClient client, String path, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.createFile(path, 0644, false);
        client.write(path, bytes.length, Channels.newChannel(new ByteArrayInputStream(bytes)), n -> {});
    }

    private static String read(BlockingStrandClient client, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.cat(path, out, n -> {});
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Every client in parallel: a directory of its own, files in it, contents in some, a rename. */
    private static List<String> writeFromEveryClient(String root) {
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> work = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            BlockingStrandClient client = clients.get(c);
            String dir = root + "/client-" + c;
            work.add(CompletableFuture.runAsync(() -> {
                client.mkdir(dir);
                written.add(dir);
                for (int f = 0; f < FILES_PER_CLIENT; f++) {
                    String path = dir + "/f" + f;
                    if (f % 3 == 0) {
                        write(client, path, "contents of " + path);
                    } else {
                        client.createFile(path, 0644, true);
                    }
                    written.add(path);
                }
                client.mv(dir + "/f1", dir + "/renamed");
                written.remove(dir + "/f1");
                written.add(dir + "/renamed");
            }, pool));
        }
        CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
        written.add(root);
        return written;
    }

    @Test
    void afterCop2EveryReplicaHasEveryWriteWithEqualVersionVectors() {
        BlockingStrandClient admin = clients.get(0);
        String volume = SharedStrandServer.uniqueVolumeName("triple");
        VolumeInfo created = admin.volumeCreate(volume, 3, "majority");
        assertThat(created.replicas()).isEqualTo(3);
        String root = "/" + volume;

        List<String> written = writeFromEveryClient(root);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String path : written) {
                ValidateReply reply = admin.validate(path);
                assertThat(reply.replicas()).as(path).hasSize(3);
                assertThat(reply.replicas()).as("every replica has %s", path)
                        .allSatisfy(r -> {
                            assertThat(r.available()).isTrue();
                            assertThat(r.versionVector()).isNotNull();
                        });
                assertThat(reply.agree()).as("the replicas agree on %s", path).isTrue();
                assertThat(reply.replicas()).extracting(ReplicaVersionInfo::versionVector).as(path)
                        .allSatisfy(vv -> assertThat(vv.get(0)).isEqualTo(vv.get(1)).isEqualTo(vv.get(2)));
            }
            VolumeInfo info = admin.volumeInfo(volume);
            assertThat(info.minReplicas()).isEqualTo("majority");
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::entityId)
                    .containsExactly(created.id() + ".0", created.id() + ".1", created.id() + ".2");
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::pendingCop2).containsOnly(0);
            // each replica reports its resolution log (0 unless a replica fell behind and caught up: its sources keep
            // those operations until resolution truncates them) and no conflict
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::resolutionLogEntries)
                    .allSatisfy(entries -> assertThat(entries).isNotNull().isNotNegative());
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::conflicts).containsOnly(0);
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::versionVector).containsOnly(info.versionVector());
        });
        for (int c = 0; c < CLIENTS; c++) {
            String path = root + "/client-" + c + "/f3";
            assertThat(read(clients.get((c + 1) % CLIENTS), path)).isEqualTo("contents of " + path);
        }
    }

    /** Measured, not asserted: creates per second on a volume of three replicas and on one of one. */
    @Test
    void createRateOfThreeReplicasAgainstOne() {
        BlockingStrandClient client = clients.get(0);
        int files = 300;
        double[] rates = new double[2];
        int[] groups = {1, 3};
        List<String> volumes = new ArrayList<>();
        for (int g = 0; g < groups.length; g++) {
            String volume = SharedStrandServer.uniqueVolumeName("rate" + groups[g]);
            volumes.add(volume);
            client.volumeCreate(volume, groups[g], "1");
            client.createFile("/" + volume + "/warm-up", 0644, true);
            List<CompletableFuture<Void>> work = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                BlockingStrandClient each = clients.get(c);
                int first = c * (files / CLIENTS);
                work.add(CompletableFuture.runAsync(() -> {
                    for (int f = first; f < first + files / CLIENTS; f++) {
                        each.createFile("/" + volume + "/f" + f, 0644, true);
                    }
                }, pool));
            }
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
            rates[g] = files / ((System.nanoTime() - start) / 1e9);
        }
        System.out.printf("[ReplicatedVolumeIT] creates/s with %d clients: 1 replica %.0f, 3 replicas %.0f%n",
                CLIENTS, rates[0], rates[1]);
        for (String volume : volumes) {
            assertThat(client.volumeInfo(volume).files()).as("every create of %s succeeded", volume)
                    .isEqualTo(files + 1);
        }
    }
}
