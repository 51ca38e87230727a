package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.message.Request;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The requests of one connection that wait for their answer, by request id; the in-flight limit; and the worker
 * threads that complete their futures.
 *
 * <p>Request ids never repeat for one client id: each table starts its counter at its creation time in
 * milliseconds times 2^20 (and above the last base this JVM handed out), so even two connections sharing a
 * client id do not collide. Futures are completed on worker threads, never on the reader, so that code chained
 * onto them may call the connection again (even block) safely.
 */
final class RequestTable {

    /** The last request-id base handed out in this JVM: bases only grow. */
    private static final AtomicLong LAST_ID_BASE = new AtomicLong();

    private final AtomicLong nextRequestId = new AtomicLong(newRequestIdBase());
    private final ConcurrentHashMap<Long, PendingRequest> pending = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private volatile Semaphore inFlight = new Semaphore(1);
    private volatile int inFlightLimit = 1;

    RequestTable(String name) {
        this.workers = Executors.newCachedThreadPool(daemonThreads("strand-client-" + name));
    }

    private static long newRequestIdBase() {
        long now = System.currentTimeMillis() << 20;
        return LAST_ID_BASE.updateAndGet(last -> Math.max(now, last + (1L << 20)));
    }

    /** Sets the in-flight limit; only before any request holds a permit (the first greeting). */
    void limitInFlight(int limit) {
        inFlightLimit = limit;
        inFlight = new Semaphore(limit);
    }

    int inFlightLimit() {
        return inFlightLimit;
    }

    /**
     * Takes a request id and registers the request (or fails it at once: its body does not fit a frame, or the
     * connection is closed, as {@code closedMessage} tells). Requests that hold a permit ({@code usePermit})
     * are the ones resent after a reconnect; HELLO and FAREWELL belong to one socket. Blocks while the
     * in-flight limit is reached.
     */
    PendingRequest register(Opcode op, Request request, PendingRequest.DataSink sink, LongConsumer progress,
                            boolean usePermit, Supplier<String> closedMessage) {
        Semaphore permits = usePermit ? inFlight : null;
        if (permits != null) {
            permits.acquireUninterruptibly();
        }
        long id = nextRequestId.getAndIncrement();
        PendingRequest p = new PendingRequest(id, op, request, sink, progress, permits);
        try {
            p.frame = FrameCodec.encode(Frame.request(op, id, WireCodec.encode(request)));
        } catch (RuntimeException e) {
            // never sent (a body over the frame limit, say): fails alone, the connection is fine
            p.releasePermit();
            p.future().completeExceptionally(new InvalidArgumentException(
                    "cannot send " + op + ": " + e.getMessage()));
            return p;
        }
        pending.put(id, p);
        // checked after registering: a shutdown marks the connection closed before it sweeps the table, so
        // either it sees this request or this sees the mark
        String closed = closedMessage.get();
        if (closed != null) {
            fail(id, new UnavailableException(closed));
        }
        return p;
    }

    PendingRequest get(long id) {
        return pending.get(id);
    }

    /** True once the server's final answer (or the connection's end) has settled the request. */
    boolean settled(PendingRequest request) {
        return pending.get(request.id) != request;
    }

    /** Settles {@code p} with its answer (or failure) if nothing settled it before; frees its slot. */
    boolean complete(PendingRequest p, Object value, Throwable error) {
        if (!pending.remove(p.id, p)) {
            return false;
        }
        p.releasePermit();
        completeLater(p.future(), value, error);
        return true;
    }

    void fail(long id, Throwable error) {
        PendingRequest p = pending.get(id);
        if (p != null) {
            complete(p, null, error);
        }
    }

    /** Every waiting request, oldest first (the order they were made). */
    List<PendingRequest> inOrder() {
        List<PendingRequest> waiting = new ArrayList<>(pending.values());
        waiting.sort(Comparator.comparingLong(p -> p.id));
        return waiting;
    }

    Executor workers() {
        return workers;
    }

    /** Runs {@code task} on a worker; false once the table is closed. */
    boolean execute(Runnable task) {
        try {
            workers.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Completes {@code future} on a worker (on this thread once closed: nobody chains further work then). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void completeLater(CompletableFuture future, Object value, Throwable error) {
        Runnable completion = error == null ? () -> future.complete(value) : () -> future.completeExceptionally(error);
        if (!execute(completion)) {
            completion.run();
        }
    }

    /** Wakes the callers blocked waiting for a slot (they find the connection closed) and stops the workers. */
    void close() {
        inFlight.release(Integer.MAX_VALUE / 2);
        workers.shutdown();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
