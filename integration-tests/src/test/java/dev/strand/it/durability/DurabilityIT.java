package dev.strand.it.durability;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.server.StrandProcess;
import dev.strand.it.support.SharedCassandra;
import dev.strand.persistence.cassandra.ProcessIdentity;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a server process that stops, or is killed, keeps: every write it acknowledged. */
class DurabilityIT {

    private static BlockingStrandClient connect(StrandProcess server) {
        // no reconnecting: this test wants the writer to see the server die (ClientRetriesIT covers the rest)
        return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(server.address()))
                .withReconnectTimeout(java.time.Duration.ZERO));
    }

    private static byte[] contents(int i) {
        byte[] bytes = new byte[1000 + (i * 7919) % 300_000];
        new Random(i).nextBytes(bytes);
        return bytes;
    }

    private static void write(BlockingStrandClient client, String path, byte[] bytes) {
        client.createFile(path, 0644, false);
        client.write(path, bytes.length, Channels.newChannel(new ByteArrayInputStream(bytes)), n -> {});
    }

    private static byte[] read(BlockingStrandClient client, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.cat(path, out, n -> {});
        return out.toByteArray();
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
        try (StrandProcess server = new StrandProcess(SharedCassandra.uniqueKeyspace("crash"))) {
            server.start();
            Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
            AtomicReference<Throwable> writerStopped = new AtomicReference<>();
            try (BlockingStrandClient setup = connect(server)) {
                setup.volumeCreate("crash", 1);
                setup.mkdirs("/crash/d");
            }
            Thread writer = new Thread(() -> {
                try (BlockingStrandClient client = connect(server)) {
                    for (int i = 0; i < 2_000; i++) { // bounded: the kill comes long before
                        String path = "/crash/d/f" + i;
                        byte[] bytes = contents(i);
                        write(client, path, bytes);
                        acknowledged.put(path, bytes);
                        if (i % 10 == 0) {
                            client.mkdir("/crash/dir" + i);
                            acknowledged.put("/crash/dir" + i, new byte[0]);
                        }
                    }
                } catch (Throwable e) {
                    writerStopped.set(e);
                }
            }, "writer");
            writer.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= 40);
            server.kill();
            writer.join(60_000);
            assertThat(writerStopped.get()).as("the writer saw the server die").isNotNull();

            server.start();
            try (BlockingStrandClient client = connect(server)) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    if (e.getKey().contains("/dir")) {
                        assertThat(client.stat(e.getKey()).type()).isEqualTo(dev.strand.protocol.message.FileType.DIRECTORY);
                    } else {
                        assertThat(read(client, e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                    }
                }
            }
        }
    }

    /**
     * Plain `strand server`, with the Cassandra it starts: after a kill -9 of the server it starts again at once
     * (its earlier Cassandra, which may still be stopping, is recognised and stopped) with every acknowledged
     * write, and a Cassandra whose server was killed and not started again stops by itself.
     */
    @Test
    void aKilledServerStartsAgainAtOnceAndLeavesNoCassandraBehind() throws Exception {
        Path data = Path.of("target", "durability-embedded").toAbsolutePath();
        deleteRecursively(data);
        int cqlPort = freePort();
        int storagePort = freePort();
        Path cassandraPidFile = data.resolve("cassandra").resolve("cassandra.pid");
        try (StrandProcess server = StrandProcess.embedded(data, cqlPort, storagePort)) {
            server.start();
            long firstCassandra = ProcessIdentity.readPid(cassandraPidFile).orElseThrow();
            Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
            try (BlockingStrandClient client = connect(server)) {
                client.volumeCreate("own", 1);
                for (int i = 0; i < 20; i++) {
                    write(client, "/own/f" + i, contents(i));
                    acknowledged.put("/own/f" + i, contents(i));
                }
            }

            server.kill();
            server.start(); // before its Cassandra stopped by itself: this failed with "Address already in use"

            assertThat(ProcessIdentity.isRunning(firstCassandra)).as("the first Cassandra").isFalse();
            long secondCassandra = ProcessIdentity.readPid(cassandraPidFile).orElseThrow();
            assertThat(secondCassandra).isNotEqualTo(firstCassandra);
            try (BlockingStrandClient client = connect(server)) {
                for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    assertThat(read(client, e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                }
            }

            server.kill();
            await("the Cassandra of a killed server stops by itself").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500)).until(() -> !ProcessIdentity.isRunning(secondCassandra));
        } finally {
            // Should the test fail half-way: leave no Cassandra of this test running.
            ProcessIdentity.readPid(cassandraPidFile).flatMap(pid -> ProcessIdentity.find(pid,
                    "-Dcassandra.storagedir=" + data.resolve("cassandra"))).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void anOrderlyRestartKeepsEverything() {
        try (StrandProcess server = new StrandProcess(SharedCassandra.uniqueKeyspace("restart"))) {
            server.start();
            try (BlockingStrandClient client = connect(server)) {
                client.volumeCreate("kept", 1);
                client.mkdirs("/kept/a/b");
                write(client, "/kept/a/b/f", contents(1));
                client.symlink("a/b/f", "/kept/link");
                client.chmod("/kept/a/b/f", 0600);
            }
            server.stop();
            server.start();
            try (BlockingStrandClient client = connect(server)) {
                assertThat(read(client, "/kept/link")).isEqualTo(contents(1));
                assertThat(client.stat("/kept/a/b/f").mode()).isEqualTo(0600);
                assertThat(client.volumeList()).extracting(v -> v.name()).contains("kept");
            }
        }
    }
}
