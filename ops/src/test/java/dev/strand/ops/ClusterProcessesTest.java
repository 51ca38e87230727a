package dev.strand.ops;

import dev.strand.persistence.cassandra.ProcessIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code strand cluster down} and the supervisor with real processes but no Cassandra: a node is stood in for by
 * a JVM that sleeps, launched with the node's identity argument as `cluster up` launches nodes.
 */
class ClusterProcessesTest {

    @TempDir
    Path dir;

    private final List<Long> started = new ArrayList<>();

    @AfterEach
    void killWhatWasStarted() {
        started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private ClusterDirectory place() {
        ClusterDirectory place = new ClusterDirectory();
        place.dir = dir;
        return place;
    }

    private long startProcess(String... command) throws Exception {
        long pid = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().pid();
        started.add(pid);
        return pid;
    }

    private List<String> fakeNodeArgs(int node) {
        return List.of(place().nodeIdentity(node), SleepForever.class.getName());
    }

    private long startFakeNode(int node) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path")));
        command.addAll(fakeNodeArgs(node));
        return startProcess(command.toArray(String[]::new));
    }

    private void recordNode(int node, long pid) throws Exception {
        Files.writeString(dir.resolve("nodes.tsv"), node + "\t7411\t25520\t" + pid + "\n");
        Files.writeString(dir.resolve("node-" + node + ".pid"), pid + "\n");
        Files.write(dir.resolve("node-" + node + ".args"), fakeNodeArgs(node));
    }

    private static int run(String... args) {
        return StrandMain.commandLine().execute(args);
    }

    @Test
    void downLeavesAloneAnUnrelatedProcessThatAPidFileNames() throws Exception {
        long unrelated = startProcess("sleep", "300");
        recordNode(1, unrelated);
        for (String file : List.of("cassandra.pid", "supervisor.pid", "node-2.pid")) {
            Files.writeString(dir.resolve(file), unrelated + "\n");
        }

        assertThat(run("cluster", "down", "--dir", dir.toString())).isZero();

        assertThat(ProcessIdentity.isRunning(unrelated)).isTrue();
        assertThat(dir.resolve("nodes.tsv")).doesNotExist();
    }

    @Test
    void downStopsTheNodeThatItsPidFileNames() throws Exception {
        long node = startFakeNode(1);
        recordNode(1, node);

        assertThat(run("cluster", "down", "--dir", dir.toString())).isZero();

        assertThat(ProcessIdentity.isRunning(node)).isFalse();
    }

    @Test
    void theSupervisorStartsAgainANodeThatDiedAndRecordsTheRestart() throws Exception {
        long first = startFakeNode(1);
        recordNode(1, first);
        ClusterSupervisor supervisor = new ClusterSupervisor();
        supervisor.place = place();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
            try {
                return supervisor.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            ProcessHandle.of(first).orElseThrow().destroyForcibly();

            long second = await("node 1 started again").atMost(Duration.ofSeconds(30)).until(
                    () -> place().nodes().get(0).pid(), pid -> pid != first && ProcessIdentity.isRunning(pid));
            started.add(second);
            assertThat(ProcessIdentity.find(second, place().nodeIdentity(1))).isPresent();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    Files.readAllLines(dir.resolve("restarts.tsv"))).anyMatch(l -> l.startsWith("node-1\t1\t")));

            // Its own child this time: its exit code is known.
            ProcessHandle.of(second).orElseThrow().destroyForcibly();
            long third = await("node 1 started again").atMost(Duration.ofSeconds(30)).until(
                    () -> place().nodes().get(0).pid(), pid -> pid != second && ProcessIdentity.isRunning(pid));
            started.add(third);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    Files.readAllLines(dir.resolve("restarts.tsv"))).anyMatch(l -> l.matches("node-1\t2\t.*\t137\twatching")));
        } finally {
            Files.deleteIfExists(dir.resolve("nodes.tsv")); // the supervisor exits once the cluster is gone
            assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
        }
    }
}
