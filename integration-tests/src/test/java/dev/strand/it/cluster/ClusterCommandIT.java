package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.support.SharedCassandra;
import dev.strand.ops.StrandMain;
import dev.strand.ops.management.ManagementProbe;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code strand cluster up / status / start / down}, as a user runs them (here on the shared test Cassandra). */
class ClusterCommandIT {

    @Test
    void upStartsNodesThatServeEveryVolumeStatusReportsThemAndDownStopsThem() throws Exception {
        Path dir = Path.of("target", "cluster-command").toAbsolutePath();
        int clientBase = twoFreePorts();
        int clusterBase = twoFreePorts();
        int managementBase = twoFreePorts();
        String[] place = {"--dir", dir.toString()};
        List<String> up = new ArrayList<>(List.of("cluster", "up", "2", "--dir", dir.toString(),
                "--client-port", String.valueOf(clientBase), "--cluster-port", String.valueOf(clusterBase),
                "--management-port", String.valueOf(managementBase),
                "--cassandra", SharedCassandra.host() + ":" + SharedCassandra.port(),
                "--keyspace", SharedCassandra.uniqueKeyspace("clustercmd"), "--heap", "384m"));
        try {
            assertThat(StrandMain.commandLine().execute(up.toArray(String[]::new))).isZero();
            assertThat(run("cluster", "status", place)).as("status: every node serving").isZero();
            // `up` returned once each node's own port said it is ready
            ManagementProbe node2 = new ManagementProbe("127.0.0.1", managementBase + 1);
            assertThat(node2.readiness()).isEqualTo(ManagementProbe.Readiness.READY);
            assertThat(node2.selfNode()).contains("127.0.0.1:" + (clusterBase + 1));

            try (BlockingStrandClient first = connect(clientBase);
                 BlockingStrandClient second = connect(clientBase + 1)) {
                assertThat(first.helloReply().serverId()).isEqualTo("127.0.0.1:" + clusterBase);
                assertThat(second.helloReply().serverId()).isEqualTo("127.0.0.1:" + (clusterBase + 1));
                first.volumeCreate("both", 1);
                byte[] bytes = "written through node 2".getBytes(StandardCharsets.UTF_8);
                second.createFile("/both/f", 0644, false);
                second.write("/both/f", bytes.length, Channels.newChannel(new ByteArrayInputStream(bytes)), n -> {});
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                first.cat("/both/f", out, n -> {});
                assertThat(out.toByteArray()).isEqualTo(bytes);
            }

            // A crashed node comes back with `cluster start`, rejoins, and serves what was written before.
            long pid = Long.parseLong(Files.readString(dir.resolve("node-2.pid")).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty()
                    || !ProcessHandle.of(pid).get().isAlive());
            assertThat(run("cluster", "status", place)).as("status: a node is down").isEqualTo(1);
            assertThat(node2.readiness()).isEqualTo(ManagementProbe.Readiness.NO_ANSWER);
            assertThat(run("cluster", "start", "2", "--dir", dir.toString())).isZero();
            assertThat(node2.readiness()).as("same management port after a restart")
                    .isEqualTo(ManagementProbe.Readiness.READY);
            assertThat(run("cluster", "status", place)).isZero();
            await("the file, through the restarted node").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                        try (BlockingStrandClient restarted = connect(clientBase + 1)) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            restarted.cat("/both/f", out, n -> {});
                            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("written through node 2");
                        }
                    });
        } finally {
            List<Long> pids = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                Path pidFile = dir.resolve("node-" + i + ".pid");
                if (Files.exists(pidFile)) {
                    pids.add(Long.parseLong(Files.readString(pidFile).trim()));
                }
            }
            assertThat(run("cluster", "down", place)).isZero();
            // Not ProcessHandle.isAlive: a node the supervisor started is reaped by init, which may take a while.
            assertThat(pids).hasSize(2).allSatisfy(pid ->
                    assertThat(dev.strand.persistence.cassandra.ProcessIdentity.isRunning(pid)).isFalse());
        }
        assertThat(run("cluster", "status", place)).as("nothing recorded after down").isZero();
    }

    private static int run(String command, String subcommand, String... options) {
        List<String> args = new ArrayList<>(List.of(command, subcommand));
        args.addAll(List.of(options));
        return StrandMain.commandLine().execute(args.toArray(String[]::new));
    }

    private static BlockingStrandClient connect(int port) {
        return BlockingStrandClient.connect(ClientSettings.of(new ServerAddress("127.0.0.1", port)));
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
