package dev.strand.client;

import dev.strand.protocol.Opcode;
import dev.strand.protocol.message.Request;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/** A request waiting for its answer, with what it needs to be sent again (see {@link StrandConnection}). */
final class PendingRequest {

    /** Where the DATA of a fetch goes. */
    @FunctionalInterface
    interface DataSink {
        void write(byte[] bytes) throws IOException;
    }

    final long id;
    final Opcode opcode;
    final Request request;
    final DataSink sink;
    final LongConsumer progress;
    private final Semaphore permits;
    private final CompletableFuture<Object> future = new CompletableFuture<>();
    private final AtomicBoolean permitHeld;
    /** The encoded REQUEST frame, sent again as it is after a reconnect (FETCH excepted). */
    byte[] frame;
    /** For a STORE: its bytes. */
    Upload upload;
    /** The socket generation this request was last sent on (0: not yet sent). */
    private final AtomicInteger sentOn = new AtomicInteger();
    /** Bytes delivered to the fetch's sink, over every attempt; written only by the reader threads in turn. */
    volatile long received;
    /** {@link #received} when the fetch was last resent. */
    volatile long resumedAt;
    /** A failure on this side (the fetch's sink, the store's source) that outranks the server's answer. */
    volatile Throwable localFailure;
    /** When the server first answered TIMEOUT/UNAVAILABLE to this request (0: never); resends since then. */
    volatile long unsureSince;
    volatile int resends;

    PendingRequest(long id, Opcode opcode, Request request, DataSink sink, LongConsumer progress, Semaphore permits) {
        this.id = id;
        this.opcode = opcode;
        this.request = request;
        this.sink = sink;
        this.progress = progress;
        this.permits = permits;
        this.permitHeld = new AtomicBoolean(permits != null);
    }

    /** Requests with a permit are resent after a reconnect; HELLO and FAREWELL belong to their socket. */
    boolean resendable() {
        return permits != null;
    }

    int generation() {
        return sentOn.get();
    }

    /** True for the one caller that may send this request on socket {@code generation}. */
    boolean claim(int generation) {
        while (true) {
            int was = sentOn.get();
            if (was >= generation) {
                return false;
            }
            if (sentOn.compareAndSet(was, generation)) {
                return true;
            }
        }
    }

    /** Lets this request be sent again on socket {@code generation}, if that is where it was last sent. */
    boolean unclaim(int generation) {
        return sentOn.compareAndSet(generation, 0);
    }

    @SuppressWarnings("unchecked")
    <R> CompletableFuture<R> future() {
        return (CompletableFuture<R>) (CompletableFuture<?>) future;
    }

    void releasePermit() {
        if (permitHeld.compareAndSet(true, false)) {
            permits.release();
        }
    }

    /**
     * Hands DATA to the sink; after a sink failure the rest of the data is dropped. Returns the sink's failure
     * the first time it fails (the request then fails with it), else null.
     */
    Throwable deliver(byte[] bytes) {
        if (sink == null || localFailure != null) {
            return null;
        }
        try {
            sink.write(bytes);
        } catch (IOException | RuntimeException e) {
            localFailure = e;
            return e;
        }
        received += bytes.length;
        report(progress, received);
        return null;
    }

    static void report(LongConsumer progress, long bytes) {
        if (progress != null) {
            try {
                progress.accept(bytes);
            } catch (RuntimeException ignored) {
                // a failing progress display must not fail the transfer
            }
        }
    }
}
