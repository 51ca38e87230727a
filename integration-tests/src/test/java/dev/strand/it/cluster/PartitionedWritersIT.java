package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.client.StrandClient;
import dev.strand.it.support.NetworkPartition;
import dev.strand.it.support.SharedCassandra;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.VolumeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a user sees today when a partition splits writers: 3-replica volumes with min-replicas 1 (one whose
 * coordinator runs on node 3, one whose coordinator runs on node 1 or 2) and min-replicas majority (coordinator on
 * node 3), a writer per volume through node 1 (majority side) and one through node 3 (cut from nodes 1-2), each
 * creating new names. Then the partition heals, node 3 (downed by the split-brain resolver) is started again, and
 * the test reads every acknowledged change back and prints what each side was answered, when, and each replica's
 * state and vector afterwards: the input for resolution (issue 8). It asserts only what the product promises
 * today: the majority side keeps accepting writes and loses none it acknowledged, the minority side never gets OK
 * on a majority volume, and every answer is one docs/protocol.md defines for this case.
 */
class PartitionedWritersIT {
    /** How long a writer waits for one answer (the server answers TIMEOUT after 30 s); longer is no answer. */
    private static final Duration OP_BOUND = Duration.ofSeconds(40);
    private static final Duration PARTITION_BOUND = Duration.ofSeconds(75);
    private static final int MAX_OPS = 150;
    private static final int MAX_VOLUMES = 8;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Integer, String> LAST_SHARDS_ANSWER = new java.util.concurrent.ConcurrentHashMap<>();
    /** One thread per writer: a writer blocks on its change, and the common pool has one thread on 2 cores. */
    private static final ExecutorService WRITER_THREADS = Executors.newCachedThreadPool();
    /** Outcomes a change may have when replicas or the volume's server cannot be reached (docs/protocol.md). */
    private static final Set<String> TRUTHFUL = Set.of("OK", Status.UNAVAILABLE.name(),
            Status.UNDER_REPLICATED.name(), Status.TIMEOUT.name(), Status.SHUTTING_DOWN.name(), "CONNECTION_LOST");

    private static NetworkPartition partition;
    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        Optional<String> why = NetworkPartition.unsupportedReason();
        assumeTrue(why.isEmpty(), () -> why.orElse(""));
        partition = NetworkPartition.open();
        cluster = ProcessCluster.start(3, SharedCassandra.uniqueKeyspace("splitwrite"),
                new ProcessCluster.PortRange(8200, 26200), partition);
    }

    @AfterAll
    static void stopCluster() {
        WRITER_THREADS.shutdownNow();
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (partition != null) {
                partition.close();
                assertThat(NetworkPartition.leftovers()).as("partition rules or cgroups left behind").isEmpty();
            }
        }
    }

    @Test
    void writersOnBothSidesOfAPartition() throws Exception {
        ProcessCluster.Node first = cluster.node(1);
        ProcessCluster.Node third = cluster.node(3);
        // The cases differ by where a volume's coordinator runs (Cluster Sharding places it on the least-loaded
        // node): volumes are created until each wanted case has one, within a bound.
        Map<String, String> coordinators = new LinkedHashMap<>();
        Map<String, String> minReplicas = new LinkedHashMap<>();
        try (BlockingStrandClient admin = connectTo(first)) {
            for (int attempt = 0; attempt < MAX_VOLUMES && !allCasesFound(minReplicas); attempt++) {
                String setting = attempt % 2 == 0 ? "1" : "majority";
                String name = (setting.equals("1") ? "one" : "maj") + attempt;
                long id = admin.volumeCreate(name, 3, setting).id();
                admin.mkdir("/" + name + "/before"); // starts the volume's coordinator
                awaitPlacedApart(id);
                String coordinator;
                try {
                    coordinator = await("the coordinator of " + name).atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(200)).until(() -> coordinatorOf(id), Optional::isPresent)
                            .orElseThrow();
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("no node's /cluster/shards/VolumeCoordinator names the shard of "
                            + "coordinator " + id + "; last answers: " + LAST_SHARDS_ANSWER, e);
                }
                String side = coordinator.equals(third.member()) ? "minority" : "majority";
                if (!minReplicas.containsKey(setting + "/" + side)) {
                    minReplicas.put(setting + "/" + side, name);
                    coordinators.put(name, "min-replicas " + setting + ", coordinator on " + coordinator);
                    awaitSettled(admin, name, "before the cut");
                }
            }
        }
        List<String> volumes = List.copyOf(coordinators.keySet());

        long cutAt = System.nanoTime();
        partition.cut(List.of(first.member(), cluster.node(2).member()), List.of(third.member()));
        List<Writer> majority = volumes.stream().map(v -> new Writer("majority", first, v, cutAt)).toList();
        List<Writer> minority = volumes.stream().map(v -> new Writer("minority", third, v, cutAt)).toList();
        long thirdGoneAt;
        try {
            // unreachable after ~4 s, downed 5 s later, then up to StrandServer.SHUTDOWN_BOUND (20 s) + 5 s to exit
            await("node 3 downed and gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !third.isAlive());
            thirdGoneAt = System.nanoTime();
            await("the majority side acknowledged writes on every volume after node 3 left")
                    .atMost(PARTITION_BOUND).pollInterval(Duration.ofMillis(200))
                    .until(() -> majority.stream().allMatch(w -> w.okAfter(thirdGoneAt) >= 2));
        } finally {
            for (Writer writer : concat(majority, minority)) {
                writer.stop();
            }
        }

        partition.heal();
        long healedAt = System.nanoTime();
        third.restart();
        await("node 3 rejoined").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(cluster::allRunningNodesSeeEachOtherUp);
        long rejoinedAt = System.nanoTime();

        Map<String, VolumeInfo> after = new LinkedHashMap<>();
        Map<String, Long> settledAfterMillis = new LinkedHashMap<>();
        try (BlockingStrandClient admin = connectTo(first)) {
            for (String volume : volumes) {
                // Whatever can settle by itself today (behind replicas catching up) is given time to; diverged
                // replicas stay diverged (resolution is issue 8).
                long from = System.nanoTime();
                try {
                    await("no replica of " + volume + " behind or catching up").atMost(Duration.ofSeconds(30))
                            .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                                    admin.volumeInfo(volume).replicaInfo().stream()
                                            .allMatch(r -> Set.of("current", "diverged").contains(r.state())));
                    settledAfterMillis.put(volume, millis(System.nanoTime() - from));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    settledAfterMillis.put(volume, -1L);
                }
                after.put(volume, admin.volumeInfo(volume));
            }
        }

        // Read every acknowledged change back through node 1 and through the restarted node 3.
        List<Answer> answers = new ArrayList<>();
        concat(majority, minority).forEach(w -> answers.addAll(w.answers()));
        Map<Answer, String> visibility = new LinkedHashMap<>();
        answers.stream().filter(Answer::acknowledged).forEach(a -> visibility.put(a, ""));
        for (ProcessCluster.Node node : List.of(first, third)) {
            try (BlockingStrandClient client = connectTo(node)) {
                for (Answer answer : visibility.keySet()) {
                    visibility.merge(answer, "n" + node.index + ":" + lookUp(client, answer.path) + " ",
                            String::concat);
                }
            }
        }

        report(coordinators, concat(majority, minority), visibility, after, settledAfterMillis,
                millis(thirdGoneAt - cutAt), millis(rejoinedAt - healedAt));

        List<String> wrong = new ArrayList<>();
        for (Answer answer : answers) {
            // A request whose volume's coordinator is across the partition is answered TIMEOUT after 30 s by the
            // server; no answer within OP_BOUND (40 s) would break that.
            if (!TRUTHFUL.contains(answer.outcome)) {
                wrong.add("answered " + answer.outcome + ", not an answer for this case: " + answer);
            }
            if (answer.side.equals("minority") && answer.outcome.equals("OK") && answer.volume.startsWith("maj")) {
                wrong.add("OK on the minority side of a majority volume: " + answer);
            }
        }
        visibility.forEach((answer, seen) -> {
            if (answer.side.equals("majority") && seen.contains("missing")) {
                wrong.add("acknowledged on the majority side, lost: " + answer + " -> " + seen);
            }
        });
        assertThat(wrong).as("promises broken").isEmpty();
        assertThat(after.values()).allSatisfy(info -> assertThat(info.replicaInfo()).hasSize(3));
    }

    private static boolean allCasesFound(Map<String, String> minReplicas) {
        return minReplicas.keySet().containsAll(List.of("1/minority", "1/majority", "majority/minority"));
    }

    /**
     * The member ("node-i") whose shard region hosts the volume's coordinator, from /cluster/shards (placement lines
     * are logged for replicas only).
     */
    private static Optional<String> coordinatorOf(long volumeId) {
        // Coordinators use Pekko's default extractor: shard = |hash(entity id) mod number-of-shards (1000)|.
        int shard = Math.abs(Long.toString(volumeId).hashCode() % 1000);
        for (ProcessCluster.Node node : cluster.nodes()) {
            if (!node.isAlive()) {
                continue;
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + node.managementPort + "/cluster/shards/VolumeCoordinator"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                LAST_SHARDS_ANSWER.put(node.index, response.statusCode() + " " + response.body());
                for (JsonNode region : JSON.readTree(response.body()).path("regions")) {
                    if (region.path("shardId").asText().equals(String.valueOf(shard))) {
                        return Optional.of(node.member());
                    }
                }
            } catch (IOException e) {
                // not answering now: ask again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static void report(Map<String, String> coordinators, List<Writer> writers,
                               Map<Answer, String> visibility, Map<String, VolumeInfo> after,
                               Map<String, Long> settledAfterMillis, long thirdGoneMillis, long rejoinMillis) {
        System.out.printf("[PartitionedWritersIT] volumes: %s; node 3 exited %d ms after the cut and rejoined %d ms "
                + "after the heal%n", coordinators, thirdGoneMillis, rejoinMillis);
        for (Writer writer : writers) {
            System.out.printf("[PartitionedWritersIT] %s side, volume %s: %s%n", writer.side, writer.volume,
                    writer.answers().stream().map(a -> "+" + a.atMillis + "ms " + a.outcome + " in " + a.tookMillis
                            + "ms" + (a.outcome.equals("OK") ? "" : " (" + a.detail + ")"))
                            .collect(Collectors.joining("; ")));
        }
        visibility.forEach((a, seen) -> {
            if (a.side.equals("minority") || seen.contains("missing")) {
                System.out.printf("[PartitionedWritersIT]   acknowledged on the %s side: %s (%s) -> after the heal "
                        + "%s%n", a.side, a.path, a.outcome, seen.trim());
            }
        });
        for (Map.Entry<String, VolumeInfo> volume : after.entrySet()) {
            System.out.printf("[PartitionedWritersIT] after the heal, volume %s (settled after %d ms, -1: not in "
                    + "30 s):%n", volume.getKey(), settledAfterMillis.get(volume.getKey()));
            for (ReplicaInfo r : volume.getValue().replicaInfo()) {
                System.out.printf("[PartitionedWritersIT]   replica %s on %s: %s, vector %s, pending COP2 %d%n",
                        r.entityId(), r.node(), r.state(), r.versionVector(), r.pendingCop2());
            }
        }
    }

    /** "present", "missing", or what the lookup failed with. */
    private static String lookUp(BlockingStrandClient client, String path) {
        try {
            client.stat(path);
            return "present";
        } catch (StrandException e) {
            return e.status() == Status.NOT_FOUND ? "missing" : e.status().name();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static void awaitPlacedApart(long id) {
        await("the three replicas of volume " + id + " on three nodes").atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    Set<ProcessCluster.Node> hosts = new HashSet<>();
                    for (int r = 0; r < 3; r++) {
                        cluster.hostOf(id + "." + r).ifPresent(hosts::add);
                    }
                    return hosts.size() == 3;
                });
    }

    private static void awaitSettled(BlockingStrandClient admin, String volume, String when) {
        await("every replica of " + volume + " current with equal vectors (" + when + ")")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .untilAsserted(() -> {
                    List<ReplicaInfo> replicas = admin.volumeInfo(volume).replicaInfo();
                    assertThat(replicas).extracting(ReplicaInfo::state).containsOnly("current");
                    assertThat(replicas).extracting(ReplicaInfo::versionVector)
                            .containsOnly(replicas.get(0).versionVector());
                });
    }

    /** One change a writer asked for and what it was answered ("OK", a status name, "CONNECTION_LOST"...). */
    private record Answer(String side, String volume, String path, String outcome, String detail, long atMillis,
                          long tookMillis) {
        boolean acknowledged() {
            return outcome.equals("OK") || outcome.equals(Status.UNDER_REPLICATED.name());
        }
    }

    /** Creates new names (directories and empty files, one mutation each) in one volume through one node only. */
    private static final class Writer {
        final String side;
        final String volume;
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CompletableFuture<Void> done;
        private final long startNanos;

        Writer(String side, ProcessCluster.Node node, String volume, long startNanos) {
            this.side = side;
            this.volume = volume;
            this.startNanos = startNanos;
            this.done = CompletableFuture.runAsync(() -> run(node), WRITER_THREADS);
        }

        List<Answer> answers() {
            synchronized (answers) {
                return List.copyOf(answers);
            }
        }

        long okAfter(long nanos) {
            long afterMillis = millis(nanos - startNanos);
            return answers().stream().filter(a -> a.outcome.equals("OK") && a.atMillis > afterMillis).count();
        }

        void stop() throws Exception {
            running.set(false);
            done.get(OP_BOUND.toSeconds() + 10, TimeUnit.SECONDS);
        }

        private void run(ProcessCluster.Node node) {
            try (BlockingStrandClient client = connectTo(node)) {
                StrandClient async = client.async();
                long deadline = startNanos + PARTITION_BOUND.toNanos() + TimeUnit.SECONDS.toNanos(45);
                for (int op = 0; op < MAX_OPS && running.get() && System.nanoTime() < deadline; op++) {
                    String path = "/" + volume + "/" + side + "-" + op;
                    long started = System.nanoTime();
                    CompletableFuture<?> change = op % 2 == 0 ? async.mkdir(path) : async.createFile(path, 0644, true);
                    String outcome;
                    String detail = "";
                    try {
                        change.get(OP_BOUND.toSeconds(), TimeUnit.SECONDS);
                        outcome = "OK";
                    } catch (ExecutionException e) {
                        Throwable cause = StrandClient.unwrap(e);
                        detail = String.valueOf(cause.getMessage());
                        outcome = cause instanceof StrandException se ? se.status().name() : "CONNECTION_LOST";
                    } catch (TimeoutException e) {
                        outcome = "NO_ANSWER_IN_" + OP_BOUND.toSeconds() + "S";
                    }
                    answers.add(new Answer(side, volume, path, outcome, detail, millis(started - startNanos),
                            millis(System.nanoTime() - started)));
                    if (!node.isAlive() || detail.contains(" lost")) {
                        break; // the connection (reconnect timeout 0) or its node is gone: nothing more to learn
                    }
                }
            } catch (RuntimeException e) {
                answers.add(new Answer(side, volume, "-", "CONNECTION_LOST", String.valueOf(e),
                        millis(System.nanoTime() - startNanos), 0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A client of one node only, which does not move to another node when that one goes. */
    private static BlockingStrandClient connectTo(ProcessCluster.Node node) {
        return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(node.clientAddress()))
                .withConnectTimeout(Duration.ofSeconds(3)).withReconnectTimeout(Duration.ZERO));
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
