package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.OutcomeUnknownException;
import dev.strand.client.ServerAddress;
import dev.strand.client.StrandClient;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writers that each write new files with unique, checkable contents into one volume through one node's client port,
 * and the ledger of every write the cluster acknowledged; {@link #check} then reads every acknowledged file back
 * through every node. Used by the fault tests (PausedNodeIT, KillPauseLoop). A writer writes each file once under a
 * name of its own, so a file's contents can only be the acknowledged ones; a write that was not acknowledged (an
 * error, an unknown outcome, no answer) is counted by outcome and never checked. Bounded: a number of writes per
 * writer, a time limit, and a bound on each write's wait.
 */
final class WriteLedger {
    /**
     * How long a writer waits for one write: the server answers TIMEOUT after 30 s, and a client whose node went
     * away tries it again for its reconnect timeout (60 s) before giving up with an unknown outcome.
     */
    static final Duration WRITE_BOUND = Duration.ofSeconds(100);
    private static final Duration READ_BOUND = Duration.ofSeconds(30);
    private static final int READ_ATTEMPTS = 3;
    private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);

    /** An acknowledged write: its contents, the writer, and when it was started and acknowledged. */
    record Ack(byte[] contents, int writer, long startedNanos, long ackedNanos) {}

    /**
     * What the reads after the faults found: {@code lost}, acknowledged files that some node returned as missing or
     * with other contents (one line per file and node); {@code unreadable}, reads that failed otherwise (no answer,
     * unavailable) in every attempt.
     */
    record Check(int files, int reads, List<String> lost, Set<String> lostPaths, List<String> unreadable) {}

    /** Reads that fail one after the other through one node before the check stops reading through it. */
    static final int GIVE_UP_AFTER_FAILED_READS = 20;

    private final String volume;
    private final long seed;
    private final Duration interval;
    private final int maxWritesPerWriter;
    private final long deadlineNanos;
    private final Map<String, Ack> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> firstFailures = Collections.synchronizedList(new ArrayList<>());

    private WriteLedger(String volume, long seed, Duration interval, int maxWritesPerWriter, Duration bound) {
        this.volume = volume;
        this.seed = seed;
        this.interval = interval;
        this.maxWritesPerWriter = maxWritesPerWriter;
        this.deadlineNanos = System.nanoTime() + bound.toNanos();
    }

    /**
     * Starts one writer per entry of {@code nodes} (a node may appear more than once), writer i writing
     * {@code /<volume>/w<i>-<n>} through that node only, one write every {@code interval} at most, stopping after
     * {@code maxWritesPerWriter} writes, after {@code bound}, or at {@link #stop()}.
     */
    static WriteLedger start(List<ProcessCluster.Node> nodes, String volume, long seed, Duration interval,
                             int maxWritesPerWriter, Duration bound) {
        WriteLedger ledger = new WriteLedger(volume, seed, interval, maxWritesPerWriter, bound);
        for (int i = 0; i < nodes.size(); i++) {
            int index = i;
            ProcessCluster.Node node = nodes.get(i);
            Thread thread = new Thread(() -> ledger.write(index, node), "writer-" + i + "-node-" + node.index);
            thread.setDaemon(true);
            ledger.threads.add(thread);
        }
        ledger.threads.forEach(Thread::start);
        return ledger;
    }

    /** Stops the writers after their current write; returns once they ended (at most {@link #WRITE_BOUND} + 30 s). */
    void stop() throws InterruptedException {
        running.set(false);
        long deadline = System.nanoTime() + WRITE_BOUND.plusSeconds(30).toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not end");
            }
        }
    }

    Map<String, Ack> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** How many writes of writer {@code writer} that started after {@code nanos} were acknowledged. */
    long acknowledgedStartedAfter(int writer, long nanos) {
        return acknowledged.values().stream().filter(a -> a.writer == writer && a.startedNanos > nanos).count();
    }

    int writers() {
        return threads.size();
    }

    /** Writes not acknowledged, by outcome (a status name, OUTCOME_UNKNOWN, NO_ANSWER, an exception's name). */
    Map<String, Long> failed() {
        Map<String, Long> copy = new TreeMap<>();
        failed.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    long failedCount() {
        return failed.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Connections to a writer's node that could not be made (its node was down or paused): not writes. */
    long connectFailures() {
        return connectFailures.get();
    }

    /** The first few failures, with their messages. */
    List<String> firstFailures() {
        synchronized (firstFailures) {
            return List.copyOf(firstFailures);
        }
    }

    /** Reads every acknowledged file through each of {@code nodes} and compares its contents with the ledger's. */
    Check check(List<ProcessCluster.Node> nodes) {
        Map<String, Ack> files = new TreeMap<>(acknowledged);
        List<String> lost = new ArrayList<>();
        Set<String> lostPaths = new LinkedHashSet<>();
        List<String> unreadable = new ArrayList<>();
        int reads = 0;
        for (ProcessCluster.Node node : nodes) {
            BlockingStrandClient client = null;
            int failedInARow = 0;
            int checked = 0;
            try {
                for (Map.Entry<String, Ack> file : files.entrySet()) {
                    if (failedInARow == GIVE_UP_AFTER_FAILED_READS) {
                        // a node that serves nothing would take hours to prove so file by file: the check stays bounded
                        unreadable.add((files.size() - checked) + " more files not read through node " + node.index
                                + ": its last " + GIVE_UP_AFTER_FAILED_READS + " reads failed");
                        break;
                    }
                    checked++;
                    reads++;
                    String outcome = "";
                    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
                        if (client == null) {
                            try {
                                client = node.client();
                            } catch (RuntimeException e) {
                                outcome = "no connection: " + e;
                                continue;
                            }
                        }
                        outcome = read(client.async(), file.getKey(), file.getValue().contents());
                        if (outcome.equals("ok") || outcome.equals("missing") || outcome.startsWith("other contents")) {
                            break;
                        }
                        client.close(); // whatever failed, the next attempt starts on a new connection
                        client = null;
                    }
                    if (outcome.equals("missing") || outcome.startsWith("other contents")) {
                        lost.add(file.getKey() + " through node " + node.index + ": " + outcome);
                        lostPaths.add(file.getKey());
                    } else if (!outcome.equals("ok")) {
                        unreadable.add(file.getKey() + " through node " + node.index + ": " + outcome);
                    }
                    boolean answered = outcome.equals("ok") || outcome.equals("missing")
                            || outcome.startsWith("other contents"); // the node serves: every lost file is counted
                    failedInARow = answered ? 0 : failedInARow + 1;
                }
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }
        return new Check(files.size(), reads, lost, lostPaths, unreadable);
    }

    private static String read(StrandClient client, String path, byte[] expected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            client.cat(path, out, n -> {}).get(READ_BOUND.toSeconds(), TimeUnit.SECONDS);
            byte[] got = out.toByteArray();
            return Arrays.equals(got, expected) ? "ok" : "other contents (" + got.length + " bytes, expected "
                    + expected.length + ")";
        } catch (ExecutionException e) {
            Throwable cause = StrandClient.unwrap(e);
            if (cause instanceof StrandException se && se.status() == Status.NOT_FOUND) {
                return "missing";
            }
            return String.valueOf(cause);
        } catch (TimeoutException e) {
            return "no answer within " + READ_BOUND.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Unique per seed, writer and write, with the path inside so that a misplaced file shows. */
    static byte[] contents(long seed, int writer, int n, String path) {
        Random random = new Random(seed * 1_000_003L + writer * 100_003L + n);
        byte[] header = ("strand write ledger: seed " + seed + ", writer " + writer + ", write " + n + ", " + path
                + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] contents = Arrays.copyOf(header, header.length + random.nextInt(2048));
        for (int i = header.length; i < contents.length; i++) {
            contents[i] = (byte) ('a' + random.nextInt(26));
        }
        return contents;
    }

    private void write(int index, ProcessCluster.Node node) {
        BlockingStrandClient client = null;
        try {
            int n = 0;
            while (running.get() && n < maxWritesPerWriter && System.nanoTime() < deadlineNanos) {
                if (client == null) {
                    try {
                        client = connect(node);
                    } catch (RuntimeException e) {
                        connectFailures.incrementAndGet(); // node down or paused: try again shortly
                        LockSupport.parkNanos(RECONNECT_PAUSE.toNanos());
                        continue;
                    }
                }
                String path = "/" + volume + "/w" + index + "-" + n;
                byte[] contents = contents(seed, index, n, path);
                n++;
                long started = System.nanoTime();
                String outcome;
                try {
                    client.async().write(path, contents.length, Channels.newChannel(new ByteArrayInputStream(contents)),
                            x -> {}).get(WRITE_BOUND.toSeconds(), TimeUnit.SECONDS);
                    outcome = "OK";
                } catch (ExecutionException e) {
                    Throwable cause = StrandClient.unwrap(e);
                    outcome = cause instanceof OutcomeUnknownException ? "OUTCOME_UNKNOWN"
                            : cause instanceof StrandException se ? se.status().name()
                            : cause.getClass().getSimpleName();
                    note(path, node, cause.toString());
                } catch (TimeoutException e) {
                    outcome = "NO_ANSWER";
                    note(path, node, "no answer within " + WRITE_BOUND.toSeconds() + " s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                // UNDER_REPLICATED: the change was made (on fewer replicas than min-replicas): acknowledged.
                if (outcome.equals("OK") || outcome.equals(Status.UNDER_REPLICATED.name())) {
                    acknowledged.put(path, new Ack(contents, index, started, System.nanoTime()));
                } else {
                    failed.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                    client.close(); // a lost or stuck connection: the next write starts on a new one
                    client = null;
                }
                LockSupport.parkNanos(interval.toNanos()); // the writing rate, not a synchronisation
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    private void note(String path, ProcessCluster.Node node, String what) {
        if (firstFailures.size() < 8) {
            firstFailures.add(path + " through node " + node.index + ": " + what);
        }
    }

    /**
     * A client of the writer's node only. A lost connection is tried again for the client's reconnect timeout, and
     * a change it had sent is resent then (the server recognises resends), as a user's client would.
     */
    private static BlockingStrandClient connect(ProcessCluster.Node node) {
        return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(node.clientAddress()))
                .withConnectTimeout(Duration.ofSeconds(3)).withGreetingTimeout(Duration.ofSeconds(10)));
    }
}
