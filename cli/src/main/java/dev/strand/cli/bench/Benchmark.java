package dev.strand.cli.bench;

import dev.strand.client.StrandClient;
import dev.strand.client.StrandConnection;
import dev.strand.protocol.error.NoSuchVolumeException;
import dev.strand.protocol.error.VolumeExistsException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Walk;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.strand.client.BlockingStrandClient.await;

/**
 * Measures a running server. For each client count: metadata phases (create, stat, readdir, unlink of small
 * files, in ops/s) and transfer phases (store and fetch of generated data, in MB/s). Every client has its own
 * connection and its own directory under the bench volume; each phase starts all clients at once and stops
 * the clock when the last one is done. Every operation is one request: the directories' fids are resolved
 * before the clock starts.
 *
 * <p>The small-file workload ({@code smallFiles} &gt; 0) is what a program does through the client library's paths,
 * the way NFS-Ganesha's peer bench does through a mount: each file is written whole by its path (create and
 * contents), stat'ed by path, its directory listed, read whole by path and removed by path. Each of those is one
 * library call, which may take several requests.
 */
public final class Benchmark {
    private static final DateTimeFormatter RUN_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final BenchmarkSettings settings;
    private final PrintWriter log;

    /** @param log where progress lines go (stderr for the CLI) */
    public Benchmark(BenchmarkSettings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    public BenchmarkReport run() {
        String startedAt = Instant.now().toString();
        List<PhaseResult> results = new ArrayList<>();
        try (StrandClient admin = connect()) {
            ensureVolume(admin);
            String runDir = "/" + settings.volume() + "/run-" + RUN_STAMP.format(Instant.now()) + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
            await(admin.mkdirs(runDir));
            try {
                for (int clients : settings.clientCounts()) {
                    results.addAll(round(clients, runDir + "/clients-" + clients));
                }
            } finally {
                cleanUp(admin, runDir);
            }
        }
        return new BenchmarkReport(settings.client().server().toString(), settings.volume(), settings.files(),
                settings.sizeBytes(), settings.depth(), settings.smallFiles(), settings.smallFileBytes(), startedAt,
                Instant.now().toString(), results);
    }

    private StrandClient connect() {
        return StrandClient.connect(settings.client().withClientId(UUID.randomUUID().toString()));
    }

    private void ensureVolume(StrandClient admin) {
        try {
            await(admin.volumeInfo(settings.volume()));
        } catch (NoSuchVolumeException e) {
            try {
                await(admin.volumeCreate(settings.volume(), 1));
                log.println("bench: created volume " + settings.volume());
            } catch (VolumeExistsException raced) {
                // another bench made it meanwhile
            }
        }
    }

    private void cleanUp(StrandClient admin, String runDir) {
        try {
            await(admin.rmRecursive(runDir));
        } catch (RuntimeException e) {
            log.println("bench: could not remove " + runDir + ": " + e.getMessage());
        }
        log.flush();
    }

    private List<PhaseResult> round(int clientCount, String roundDir) {
        List<PhaseResult> results = new ArrayList<>();
        List<StrandClient> clients = new ArrayList<>();
        try {
            Fid[] dirs = new Fid[clientCount];
            for (int i = 0; i < clientCount; i++) {
                StrandClient client = connect();
                clients.add(client);
                dirs[i] = await(client.mkdirs(roundDir + "/client-" + i)).fid();
            }
            List<StrandConnection> connections = clients.stream().map(StrandClient::connection).toList();
            if (settings.smallFiles() > 0) {
                results.addAll(smallFiles(clients, roundDir));
            }
            if (settings.files() > 0) {
                long[] files = split(settings.files(), clientCount);
                results.add(opsPhase("create", clientCount, files, (i, k) ->
                        connections.get(i).<Attr>call(new Create(dirs[i], fileName(k), 0644, true)).thenApply(a -> 1L)));
                results.add(opsPhase("stat", clientCount, files, (i, k) ->
                        connections.get(i).call(new Walk(dirs[i], List.of(fileName(k)))).thenApply(w -> 1L)));
                long[] oneListingEach = split(clientCount, clientCount);
                results.add(opsPhase("readdir", clientCount, oneListingEach, (i, k) ->
                        listAll(connections.get(i), dirs[i], null, 0)));
                results.add(opsPhase("unlink", clientCount, files, (i, k) ->
                        connections.get(i).call(new Remove(dirs[i], fileName(k))).thenApply(e -> 1L)));
            }
            if (settings.sizeBytes() > 0) {
                long[] sizes = split(settings.sizeBytes(), clientCount);
                Fid[] data = new Fid[clientCount];
                for (int i = 0; i < clientCount; i++) {
                    data[i] = await(connections.get(i).<Attr>call(new Create(dirs[i], "data", 0644, false))).fid();
                }
                long[] versions = new long[clientCount];
                results.add(transferPhase("store", clientCount, i ->
                        connections.get(i).store(data[i], sizes[i], new GeneratedData(sizes[i], i), null)
                                .thenApply(a -> {
                                    versions[i] = a.dataVersion();
                                    return sizes[i];
                                })));
                results.add(transferPhase("fetch", clientCount, i -> {
                    DiscardingChannel sink = new DiscardingChannel();
                    // the stored version: a fetch resumed after a lost connection is checked against it
                    return connections.get(i).fetch(data[i], versions[i], 0, -1, sink, null).thenApply(reply -> {
                        if (sink.count() != sizes[i]) {
                            throw new IllegalStateException("fetched " + sink.count() + " bytes, stored " + sizes[i]);
                        }
                        return sink.count();
                    });
                }));
            }
        } finally {
            clients.forEach(StrandClient::close);
        }
        return results;
    }

    /** The small-file workload: write, stat, list, read and delete by path, each file whole. */
    private List<PhaseResult> smallFiles(List<StrandClient> clients, String roundDir) {
        int clientCount = clients.size();
        long[] files = split(settings.smallFiles(), clientCount);
        int bytes = settings.smallFileBytes();
        List<PhaseResult> results = new ArrayList<>();
        results.add(opsPhase("sf-write", clientCount, files, (i, k) -> clients.get(i)
                .write(smallPath(roundDir, i, k), bytes, new GeneratedData(bytes, k), null).thenApply(a -> 1L)));
        results.add(opsPhase("sf-stat", clientCount, files, (i, k) -> clients.get(i)
                .stat(smallPath(roundDir, i, k)).thenApply(a -> {
                    if (a.size() != bytes) {
                        throw new IllegalStateException(smallPath(roundDir, i, k) + " has " + a.size() + " bytes");
                    }
                    return 1L;
                })));
        results.add(opsPhase("sf-list", clientCount, split(clientCount, clientCount), (i, k) -> clients.get(i)
                .list(roundDir + "/client-" + i, true, false).thenApply(listing -> 1L)));
        results.add(opsPhase("sf-read", clientCount, files, (i, k) -> {
            CountingStream sink = new CountingStream();
            return clients.get(i).cat(smallPath(roundDir, i, k), sink, null).thenApply(reply -> {
                if (sink.count != bytes) {
                    throw new IllegalStateException("read " + sink.count + " bytes of " + smallPath(roundDir, i, k)
                            + ", wrote " + bytes);
                }
                return 1L;
            });
        }));
        results.add(opsPhase("sf-delete", clientCount, files, (i, k) -> clients.get(i)
                .rm(smallPath(roundDir, i, k)).thenApply(v -> 1L)));
        return results;
    }

    private static String smallPath(String roundDir, int client, long k) {
        return roundDir + "/client-" + client + "/s" + k;
    }

    /** Counts the bytes written to it and keeps none. */
    private static final class CountingStream extends java.io.OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    /** Counts a directory's entries, page after page. */
    private static CompletableFuture<Long> listAll(StrandConnection connection, Fid dir, String after, long soFar) {
        return connection.<ReadDirReply>call(new ReadDir(dir, after, 0, true)).thenCompose(page -> {
            long count = soFar + page.entries().size();
            if (page.eof() || page.entries().isEmpty()) {
                return CompletableFuture.completedFuture(count);
            }
            return listAll(connection, dir, page.entries().get(page.entries().size() - 1).name(), count);
        });
    }

    private PhaseResult opsPhase(String phase, int clients, long[] opsPerClient, Operation operation) {
        Outcome o = runPhase(phase, clients, opsPerClient, operation);
        double rate = o.seconds > 0 ? o.units / o.seconds : 0;
        return report(new PhaseResult(phase, clients, o.units, 0, o.errors, o.seconds, rate, "ops/s", o.firstError));
    }

    private PhaseResult transferPhase(String phase, int clients, Transfer transfer) {
        Outcome o = runPhase(phase, clients, split(clients, clients), (i, k) -> transfer.start(i));
        double rate = o.seconds > 0 ? o.units / 1e6 / o.seconds : 0;
        return report(new PhaseResult(phase, clients, o.completed, o.units, o.errors, o.seconds, rate, "MB/s", o.firstError));
    }

    private PhaseResult report(PhaseResult r) {
        log.printf(Locale.ROOT, "bench: %-7s %d client%s: %.1f %s%s%n", r.phase(), r.clients(), r.clients() == 1 ? "" : "s",
                r.rate(), r.unit(), r.errors() == 0 ? "" : " (" + r.errors() + " errors)");
        log.flush();
        return r;
    }

    /**
     * Runs {@code opsPerClient[i]} operations for each client i, each client on its own thread keeping at most
     * {@code depth} of them in flight. Operations not finished by the phase's deadline count as errors.
     */
    private Outcome runPhase(String phase, int clients, long[] opsPerClient, Operation operation) {
        AtomicLong completed = new AtomicLong();
        AtomicLong units = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long total = 0;
        for (long n : opsPerClient) {
            total += n;
        }
        int depth = settings.depth();
        long timeoutNanos = settings.phaseTimeout().toNanos();
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> drivers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread driver = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                Semaphore window = new Semaphore(depth);
                try {
                    for (long k = 0; k < opsPerClient[client]; k++) {
                        if (!window.tryAcquire(remaining(deadline[0]), TimeUnit.NANOSECONDS)) {
                            firstError.compareAndSet(null, phase + " timed out after " + settings.phaseTimeout().toSeconds() + "s");
                            return;
                        }
                        CompletableFuture<Long> op;
                        try {
                            op = operation.start(client, k);
                        } catch (RuntimeException e) {
                            op = CompletableFuture.failedFuture(e);
                        }
                        op.whenComplete((done, error) -> {
                            if (error == null) {
                                completed.incrementAndGet();
                                units.addAndGet(done);
                            } else {
                                Throwable cause = StrandClient.unwrap(error);
                                firstError.compareAndSet(null, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                            }
                            window.release();
                        });
                    }
                    if (!window.tryAcquire(depth, remaining(deadline[0]), TimeUnit.NANOSECONDS)) {
                        firstError.compareAndSet(null, phase + " timed out after " + settings.phaseTimeout().toSeconds() + "s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-" + phase + "-" + client);
            driver.setDaemon(true);
            drivers.add(driver);
            driver.start();
        }
        long start = System.nanoTime();
        deadline[0] = start + timeoutNanos;
        go.countDown();
        for (Thread driver : drivers) {
            try {
                driver.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long done = completed.get();
        return new Outcome(done, units.get(), total - done, seconds, firstError.get());
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** {@code total} split into {@code parts} as evenly as possible, the larger parts first. */
    static long[] split(long total, int parts) {
        long[] shares = new long[parts];
        for (int i = 0; i < parts; i++) {
            shares[i] = total / parts + (i < total % parts ? 1 : 0);
        }
        return shares;
    }

    private static String fileName(long k) {
        return "f" + k;
    }

    /** Table of results, one line per phase, for humans. */
    public static String table(BenchmarkReport report) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-8s %7s %10s %7s %9s %12s%n", "phase", "clients", "ops", "errors", "seconds", "rate"));
        for (PhaseResult r : report.results()) {
            s.append(String.format(Locale.ROOT, "%-8s %7d %10d %7d %9.3f %12.1f %s%n", r.phase(), r.clients(), r.ops(),
                    r.errors(), r.seconds(), r.rate(), r.unit()));
        }
        for (PhaseResult r : report.results()) {
            if (r.firstError() != null) {
                s.append(String.format("%s with %d client(s): first error: %s%n", r.phase(), r.clients(), r.firstError()));
            }
        }
        return s.toString();
    }

    @FunctionalInterface
    private interface Operation {
        /** Starts operation {@code k} of client {@code client}; completes with the units it did. */
        CompletableFuture<Long> start(int client, long k);
    }

    @FunctionalInterface
    private interface Transfer {
        CompletableFuture<Long> start(int client);
    }

    private record Outcome(long completed, long units, long errors, double seconds, String firstError) {}
}
