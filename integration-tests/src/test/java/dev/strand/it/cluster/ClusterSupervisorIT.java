package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.ops.StrandMain;
import dev.strand.persistence.cassandra.ProcessIdentity;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code strand cluster up} heals what a process supervisor would: a node that a pause (SIGSTOP, SIGCONT) got
 * downed by the others exits and is started again, and rejoins; a killed Cassandra is started again. The cluster
 * runs a Cassandra of its own (not the shared test one: it is killed here).
 */
class ClusterSupervisorIT {
    private static final String MEMBERS = "cluster members: ";

    @Test
    void aNodeDownedAfterAPauseAndAKilledCassandraComeBackByThemselves() throws Exception {
        Path dir = Path.of("target", "cluster-supervisor").toAbsolutePath();
        deleteRecursively(dir);
        int clientBase = twoFreePorts();
        int clusterBase = twoFreePorts();
        List<Long> pids = new ArrayList<>();
        try {
            assertThat(run("cluster", "up", "2", "--dir", dir.toString(),
                    "--client-port", String.valueOf(clientBase), "--cluster-port", String.valueOf(clusterBase),
                    "--cassandra-port", String.valueOf(freePort()),
                    "--cassandra-storage-port", String.valueOf(freePort()), "--heap", "384m")).isZero();
            pids.add(pid(dir.resolve("supervisor.pid")));
            pids.add(pid(dir.resolve("cassandra.pid")));
            // Retried: a volume's first replica on a fresh Cassandra may take longer than one request's timeout.
            await("a first file").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().untilAsserted(() -> {
                        try (BlockingStrandClient client = connect(clientBase)) {
                            if (client.volumeList().stream().noneMatch(v -> v.name().equals("healed"))) {
                                client.volumeCreate("healed", 1);
                            }
                            put(client, "/healed/before", "written before the pause");
                        }
                    });

            // Paused long enough for node 1 to down node 2 and remove it.
            long paused = pid(dir.resolve("node-2.pid"));
            pids.add(paused);
            signal("STOP", paused);
            String node1Alone = "127.0.0.1:" + clusterBase + " Up (unreachable: none)";
            await("node 1 removed the paused node 2").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> membership(dir.resolve("node-1.log")).equals(node1Alone));
            signal("CONT", paused);

            String bothUp = "127.0.0.1:" + clusterBase + " Up, 127.0.0.1:" + (clusterBase + 1)
                    + " Up (unreachable: none)";
            await("node 2 exited, was started again and rejoined").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> {
                        long now = pid(dir.resolve("node-2.pid"));
                        return now != paused && ProcessIdentity.isRunning(now)
                                && membership(dir.resolve("node-1.log")).equals(bothUp);
                    });
            pids.add(pid(dir.resolve("node-2.pid")));
            assertThat(ProcessIdentity.isRunning(paused)).as("the paused process").isFalse();
            assertThat(Files.readString(dir.resolve("node-2.log")))
                    .contains("the cluster removed this node (downed); exiting with code 75");
            await("the volume, through the new node 2").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> {
                        try (BlockingStrandClient client = connect(clientBase + 1)) {
                            assertThat(get(client, "/healed/before")).isEqualTo("written before the pause");
                        }
                    });

            long cassandra = pid(dir.resolve("cassandra.pid"));
            ProcessHandle.of(cassandra).ifPresent(ProcessHandle::destroyForcibly);
            await("Cassandra started again").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        long now = pid(dir.resolve("cassandra.pid"));
                        return now != cassandra && ProcessIdentity.isRunning(now);
                    });
            pids.add(pid(dir.resolve("cassandra.pid")));
            await("a write through node 1, on the new Cassandra").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> {
                        try (BlockingStrandClient client = connect(clientBase)) {
                            put(client, "/healed/after-" + System.nanoTime(), "written after the restart");
                        }
                    });

            String status = output(() -> run("cluster", "status", "--dir", dir.toString()));
            assertThat(status).contains("Supervisor: pid " + pids.get(0) + " (running)")
                    .contains("node-2: restarted 1 time").contains("cassandra: restarted 1 time");
        } finally {
            assertThat(run("cluster", "down", "--dir", dir.toString())).isZero();
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessIdentity.isRunning(pid)).as("pid " + pid).isFalse());
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor())
                .isZero();
    }

    /** A node's latest view of the membership, from its log. */
    private static String membership(Path log) throws IOException {
        String last = "";
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int at = line.indexOf(MEMBERS);
            if (at >= 0) {
                last = line.substring(at + MEMBERS.length());
            }
        }
        return last;
    }

    private static long pid(Path file) {
        return ProcessIdentity.readPid(file).orElse(-1L);
    }

    private static void put(BlockingStrandClient client, String path, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.createFile(path, 0644, false);
        client.write(path, bytes.length, Channels.newChannel(new ByteArrayInputStream(bytes)), n -> {});
    }

    private static String get(BlockingStrandClient client, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.cat(path, out, n -> {});
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String output(Runnable command) {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(saved);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        saved.print(text);
        return text;
    }

    private static int run(String... args) {
        return StrandMain.commandLine().execute(args);
    }

    private static BlockingStrandClient connect(int port) {
        return BlockingStrandClient.connect(ClientSettings.of(new ServerAddress("127.0.0.1", port)));
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port p such that p and p + 1 are both free now. */
    private static int twoFreePorts() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0)) {
                int port = first.getLocalPort();
                try (ServerSocket second = new ServerSocket(port + 1)) {
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no two consecutive free ports found");
    }
}
