package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.BadFrameException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.TimeoutException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.error.WrongClusterException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Farewell;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Store;
import dev.strand.protocol.message.StoreEnd;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One TCP connection to a Strand server, multiplexing many requests.
 *
 * <p>Requests get ids from a counter and wait in a map until their REPLY or ERROR arrives, so answers may
 * come in any order. At most the server's {@code maxRequestsInFlight} requests are outstanding: a caller
 * beyond that blocks until an answer frees a slot. Frames are written whole under one lock, so the DATA
 * frames of a store interleave with other requests.
 *
 * <p>One reader thread reads every frame. It hands DATA of a fetch straight to the fetch's sink, so a slow
 * sink stops the reading and the server feels it through TCP. Futures are completed on worker threads,
 * never on the reader, so code chained onto them may call this connection again (even block) safely.
 */
public final class StrandConnection implements AutoCloseable {

    /** File bytes per DATA frame of a store: the server's chunk size, so each frame fills one chunk. */
    public static final int DATA_CHUNK_SIZE = 256 * 1024;

    /** The DATA_END length that abandons a store: never equal to a byte count, so always refused. */
    static final long ABANDONED_STORE_LENGTH = -1;

    /** How long {@link #close()} waits for the server to answer the Farewell. */
    private static final long FAREWELL_WAIT_MILLIS = 2_000;

    private final ClientSettings settings;
    private final String peer;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final Thread reader;
    private final AtomicBoolean closing = new AtomicBoolean();

    private volatile Semaphore inFlight = new Semaphore(1);
    private volatile int inFlightLimit = 1;
    private volatile HelloReply helloReply;
    /** Non-null once the connection is closed or lost: the message requests fail with from then on. */
    private volatile String closedMessage;

    private StrandConnection(ClientSettings settings, Socket socket) throws IOException {
        this.settings = settings;
        this.peer = settings.server().toString();
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
        this.workers = Executors.newCachedThreadPool(daemonThreads("strand-client-" + peer));
        this.reader = new Thread(this::readLoop, "strand-reader-" + peer);
        this.reader.setDaemon(true);
    }

    /**
     * Opens a connection and performs the greeting.
     *
     * @throws UnavailableException if the server cannot be reached
     * @throws StrandException      of the server's status if it refuses the greeting (WRONG_CLUSTER, ...)
     */
    public static StrandConnection connect(ClientSettings settings) {
        ServerAddress address = settings.server();
        Socket socket = new Socket();
        StrandConnection connection;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()),
                    (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
            connection = new StrandConnection(settings, socket);
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new UnavailableException("cannot connect to " + address + ": unknown host " + address.host());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UnavailableException("cannot connect to " + address + ": " + e.getMessage());
        }
        connection.reader.start();
        try {
            connection.greet();
        } catch (RuntimeException e) {
            connection.shutdown("connection to " + address + " closed: greeting failed");
            throw e;
        }
        return connection;
    }

    private void greet() {
        Hello hello = new Hello(ProtocolLimits.PROTOCOL_VERSION, settings.clusterId(), settings.clientName(),
                settings.clientId(), "none", null);
        CompletableFuture<HelloReply> answer = send(Opcode.HELLO, hello, null, null, false).future();
        HelloReply reply;
        try {
            reply = answer.get(settings.greetingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("no answer to the greeting from " + peer + " within "
                    + settings.greetingTimeout().toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while greeting " + peer);
        } catch (ExecutionException e) {
            throw asStrandException(e.getCause());
        }
        if (reply.clusterId() != null && !reply.clusterId().equals(settings.clusterId())) {
            throw new WrongClusterException("server " + peer + " belongs to cluster '" + reply.clusterId()
                    + "', not '" + settings.clusterId() + "'");
        }
        int limit = reply.maxRequestsInFlight() > 0 ? reply.maxRequestsInFlight()
                : ProtocolLimits.MAX_REQUESTS_IN_FLIGHT;
        inFlightLimit = limit;
        inFlight = new Semaphore(limit);
        helloReply = reply;
    }

    /** The server's answer to the greeting (its term, session, limits). */
    public HelloReply helloReply() {
        return helloReply;
    }

    public ClientSettings settings() {
        return settings;
    }

    /** {@code HOST:PORT} of the server. */
    public String peer() {
        return peer;
    }

    public boolean isOpen() {
        return closedMessage == null;
    }

    /** The most requests this connection keeps outstanding at once. */
    public int maxRequestsInFlight() {
        return inFlightLimit;
    }

    /**
     * Sends a request and completes with its reply, or exceptionally with the {@link StrandException} of the
     * server's status. Blocks the caller while the connection already has its maximum of requests in flight.
     * STORE and FETCH carry data: use {@link #store} and {@link #fetch}.
     */
    public <R extends Reply> CompletableFuture<R> call(Request request) {
        Opcode op = Opcode.of(request);
        if (op == Opcode.STORE || op == Opcode.FETCH || op == Opcode.HELLO) {
            throw new IllegalArgumentException(op + " cannot be sent with call()");
        }
        return send(op, request, null, null, true).future();
    }

    /**
     * Replaces a file's contents with {@code length} bytes from {@code source} (-1: until its end). The bytes are
     * read and sent on a worker thread in DATA frames of at most {@link #DATA_CHUNK_SIZE}; completes with the
     * file's new attributes. {@code progress} (may be null) is told the bytes sent so far.
     *
     * <p>If the source fails or ends before {@code length} bytes, the store is abandoned: its DATA_END carries
     * length -1, which never matches the bytes sent, so the server refuses it and the file stays as it was; the
     * future fails with the local {@link IOException}.
     */
    public CompletableFuture<Attr> store(Fid fid, long length, ReadableByteChannel source, LongConsumer progress) {
        Pending request = send(Opcode.STORE, new Store(fid, length), null, null, true);
        CompletableFuture<Attr> result = request.future();
        if (!settled(request)) {
            try {
                workers.execute(() -> upload(request, length, source, progress));
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new UnavailableException(closedMessageOr("connection to " + peer + " closed")));
            }
        }
        return result;
    }

    /** {@link #store(Fid, long, ReadableByteChannel, LongConsumer)} from a stream. */
    public CompletableFuture<Attr> store(Fid fid, long length, InputStream source, LongConsumer progress) {
        return store(fid, length, Channels.newChannel(source), progress);
    }

    /**
     * Reads {@code length} bytes (-1: to the end) of a file from {@code offset} into {@code sink}. The sink is
     * written on the connection's reader thread as DATA frames arrive: keep it fast or accept that a slow one
     * slows every request on this connection. Completes with the server's {@link FetchReply} once all its bytes
     * reached the sink; fails with the sink's {@link IOException} if writing to it fails.
     */
    public CompletableFuture<FetchReply> fetch(Fid fid, long offset, long length, WritableByteChannel sink,
                                               LongConsumer progress) {
        DataSink dataSink = (bytes) -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                sink.write(buf);
            }
        };
        return send(Opcode.FETCH, new Fetch(fid, offset, length), dataSink, progress, true).future();
    }

    /** {@link #fetch(Fid, long, long, WritableByteChannel, LongConsumer)} into a stream. */
    public CompletableFuture<FetchReply> fetch(Fid fid, long offset, long length, OutputStream sink,
                                               LongConsumer progress) {
        DataSink dataSink = sink::write;
        return send(Opcode.FETCH, new Fetch(fid, offset, length), dataSink, progress, true).future();
    }

    /** Says Farewell, waits briefly for the answer, then closes. Pending requests fail with UNAVAILABLE. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (isOpen()) {
            try {
                send(Opcode.FAREWELL, new Farewell(), null, null, false).future()
                        .get(FAREWELL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // the goodbye is a courtesy: closing goes ahead regardless
            }
        }
        shutdown("connection to " + peer + " closed");
    }

    // ---- sending --------------------------------------------------------------------------------

    private Pending send(Opcode op, Request request, DataSink sink, LongConsumer progress, boolean usePermit) {
        Semaphore permits = usePermit ? inFlight : null;
        if (permits != null) {
            permits.acquireUninterruptibly();
        }
        long id = nextRequestId.getAndIncrement();
        Pending p = new Pending(id, op, sink, progress, permits);
        byte[] frame;
        try {
            frame = FrameCodec.encode(Frame.request(op, id, WireCodec.encode(request)));
        } catch (RuntimeException e) {
            // never sent (a body over the frame limit, say): fails alone, the connection is fine
            p.releasePermit();
            p.future().completeExceptionally(new InvalidArgumentException(
                    "cannot send " + op + ": " + e.getMessage()));
            return p;
        }
        pending.put(id, p);
        // checked after registering: shutdown() marks closed before it sweeps the map, so either it sees this
        // request or this sees the mark
        String closed = closedMessage;
        if (closed != null) {
            fail(id, new UnavailableException(closed));
            return p;
        }
        try {
            write(frame);
        } catch (IOException e) {
            connectionLost(e);
        }
        return p;
    }

    /** True once the server's final answer (or the connection's end) has settled the request. */
    private boolean settled(Pending request) {
        return pending.get(request.id()) != request;
    }

    private void upload(Pending request, long length, ReadableByteChannel source, LongConsumer progress) {
        int chunk = chunkSize();
        long sent = 0;
        try {
            while (!settled(request)) {
                int want = length < 0 ? chunk : (int) Math.min(chunk, length - sent);
                if (want == 0) {
                    break;
                }
                byte[] bytes;
                try {
                    bytes = readUpTo(source, want);
                } catch (IOException | RuntimeException e) {
                    request.localFailure = e;
                    break;
                }
                if (bytes.length == 0) {
                    if (length >= 0) {
                        request.localFailure = new EOFException("source ended after " + sent + " of " + length + " bytes");
                    }
                    break;
                }
                writeFrame(Frame.data(Opcode.STORE.code(), request.id(), bytes));
                sent += bytes.length;
                report(progress, sent);
            }
            if (settled(request)) {
                return; // the server already answered (an error): it wants no more data
            }
            // a store that failed here is abandoned with a length that can never match what was sent, which the
            // server must refuse, leaving the file unchanged
            long endLength = request.localFailure == null ? sent : ABANDONED_STORE_LENGTH;
            writeFrame(Frame.dataEnd(Opcode.STORE.code(), request.id(), WireCodec.encode(new StoreEnd(endLength))));
        } catch (IOException e) {
            connectionLost(e);
            return;
        }
        Throwable failure = request.localFailure;
        if (failure != null) {
            // fail now; the request stays registered so the server's answer still frees its slot
            request.future().completeExceptionally(failure);
        }
    }

    /** Reads until {@code want} bytes or the end of the source; an empty array means the end. */
    private static byte[] readUpTo(ReadableByteChannel source, int want) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(want);
        while (buf.hasRemaining()) {
            if (source.read(buf) < 0) {
                break;
            }
        }
        if (buf.position() == want) {
            return buf.array();
        }
        byte[] bytes = new byte[buf.position()];
        System.arraycopy(buf.array(), 0, bytes, 0, bytes.length);
        return bytes;
    }

    private int chunkSize() {
        HelloReply hello = helloReply;
        int maxBody = hello != null && hello.maxBodyLength() > 0 ? hello.maxBodyLength() : ProtocolLimits.MAX_BODY_LENGTH;
        return Math.min(DATA_CHUNK_SIZE, maxBody);
    }

    private void writeFrame(Frame frame) throws IOException {
        write(FrameCodec.encode(frame));
    }

    /** Writes one whole encoded frame; the lock keeps frames from different threads from interleaving. */
    private void write(byte[] bytes) throws IOException {
        synchronized (writeLock) {
            out.write(bytes);
            out.flush();
        }
    }

    // ---- receiving ------------------------------------------------------------------------------

    private void readLoop() {
        Exception cause;
        try {
            while (true) {
                Frame frame = FrameCodec.read(in);
                if (frame == null) {
                    cause = new EOFException("server closed the connection");
                    break;
                }
                dispatch(frame);
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        }
        connectionLost(cause);
    }

    private void dispatch(Frame frame) {
        switch (frame.type()) {
            case REPLY -> {
                Pending p = pending.remove(frame.requestId());
                if (p != null) {
                    p.releasePermit();
                    completeWithReply(p, frame.body());
                }
            }
            case ERROR -> {
                Pending p = pending.remove(frame.requestId());
                if (p != null) {
                    p.releasePermit();
                    Throwable local = p.localFailure;
                    completeLater(p.future(), null, local != null ? local : WireCodec.decodeError(frame.body()));
                }
            }
            case DATA -> {
                Pending p = pending.get(frame.requestId());
                if (p != null) {
                    p.deliver(frame.body());
                }
            }
            default -> {
                // CALLBACK (reserved for sessions) and frames a server should not send are ignored
            }
        }
    }

    private void completeWithReply(Pending p, byte[] body) {
        if (p.localFailure != null) {
            completeLater(p.future(), null, p.localFailure);
            return;
        }
        Reply reply;
        try {
            reply = WireCodec.decode(body, p.opcode().replyType());
        } catch (StrandException e) {
            completeLater(p.future(), null, e);
            return;
        }
        if (reply instanceof FetchReply fetched && p.sink() != null && fetched.bytes() != p.received()) {
            completeLater(p.future(), null, new BadFrameException("fetch announced " + fetched.bytes()
                    + " bytes but " + p.received() + " arrived"));
            return;
        }
        completeLater(p.future(), reply, null);
    }

    // ---- failure and shutdown -------------------------------------------------------------------

    private void fail(long id, Throwable error) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.releasePermit();
            completeLater(p.future(), null, error);
        }
    }

    private void connectionLost(Exception cause) {
        if (closing.get()) {
            shutdown("connection to " + peer + " closed");
            return;
        }
        String reason = cause == null || cause.getMessage() == null
                ? (cause == null ? "unknown cause" : cause.getClass().getSimpleName()) : cause.getMessage();
        shutdown("connection to " + peer + " lost: " + reason);
    }

    /** Marks the connection closed (the first reason wins), closes the socket and fails every pending request. */
    private void shutdown(String message) {
        boolean first;
        synchronized (this) {
            first = closedMessage == null;
            if (first) {
                closedMessage = message;
            }
        }
        closeQuietly(socket);
        String reason = closedMessage;
        for (Long id : pending.keySet()) {
            fail(id, new UnavailableException(reason));
        }
        if (first) {
            // callers blocked waiting for a slot must wake up and see the connection closed
            inFlight.release(Integer.MAX_VALUE / 2);
            workers.shutdown();
        }
    }

    private String closedMessageOr(String fallback) {
        String m = closedMessage;
        return m == null ? fallback : m;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void completeLater(CompletableFuture future, Object value, Throwable error) {
        Runnable completion = error == null ? () -> future.complete(value) : () -> future.completeExceptionally(error);
        try {
            workers.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run(); // shutting down: nobody chains further work onto the reader anymore
        }
    }

    private static StrandException asStrandException(Throwable t) {
        if (t instanceof StrandException se) {
            return se;
        }
        return new UnavailableException(t.getMessage() == null ? t.toString() : t.getMessage());
    }

    private static void report(LongConsumer progress, long bytes) {
        if (progress != null) {
            try {
                progress.accept(bytes);
            } catch (RuntimeException ignored) {
                // a failing progress display must not fail the transfer
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Where the DATA of a fetch goes. */
    @FunctionalInterface
    private interface DataSink {
        void write(byte[] bytes) throws IOException;
    }

    /** A request waiting for its answer. */
    private final class Pending {
        private final long id;
        private final Opcode opcode;
        private final DataSink sink;
        private final LongConsumer progress;
        private final Semaphore permits;
        private final CompletableFuture<Object> future = new CompletableFuture<>();
        private final AtomicBoolean permitHeld;
        /** Written only by the reader thread. */
        private long received;
        /** A failure on this side (the fetch's sink, the store's source) that outranks the server's answer. */
        private volatile Throwable localFailure;

        Pending(long id, Opcode opcode, DataSink sink, LongConsumer progress, Semaphore permits) {
            this.id = id;
            this.opcode = opcode;
            this.sink = sink;
            this.progress = progress;
            this.permits = permits;
            this.permitHeld = new AtomicBoolean(permits != null);
        }

        long id() {
            return id;
        }

        Opcode opcode() {
            return opcode;
        }

        DataSink sink() {
            return sink;
        }

        long received() {
            return received;
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

        /** Hands DATA to the sink; after a sink failure the rest of the data is dropped. */
        void deliver(byte[] bytes) {
            if (sink == null || localFailure != null) {
                return;
            }
            try {
                sink.write(bytes);
            } catch (IOException | RuntimeException e) {
                localFailure = e;
                // the request stays registered until the server's answer frees its slot
                completeLater(future, null, e);
                return;
            }
            received += bytes.length;
            report(progress, received);
        }
    }
}
