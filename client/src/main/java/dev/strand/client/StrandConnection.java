package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
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
 * A client's link to a Strand cluster: one TCP connection at a time, multiplexing many requests, that
 * survives the loss of its server.
 *
 * <p>Requests get ids from a counter and wait in a map until their REPLY or ERROR arrives, so answers may
 * come in any order. At most the server's {@code maxRequestsInFlight} requests are outstanding: a caller
 * beyond that blocks until an answer frees a slot. Frames are written whole under one lock, so the DATA
 * frames of a store interleave with other requests.
 *
 * <p>One reader thread reads every frame. It hands DATA of a fetch straight to the fetch's sink, so a slow
 * sink stops the reading and the server feels it through TCP. Futures are completed on worker threads,
 * never on the reader, so code chained onto them may call this connection again (even block) safely.
 *
 * <p>RECONNECTING. When the connection is lost, the requests waiting for an answer stay waiting: a reconnect
 * thread goes round the settings' servers (starting after the lost one) with a small growing delay (50 ms up
 * to 1 s, with jitter) until one accepts the greeting, and then sends every waiting request again with its
 * SAME request id, so that the server recognises a mutation it already applied and answers it again instead
 * of applying it twice. A STORE starts over from its first byte if its source can be rewound (a file, any
 * {@link SeekableByteChannel}) or nothing was read from it yet; otherwise it fails with UNAVAILABLE. A FETCH
 * continues from the bytes its sink already has. Requests made meanwhile wait too. If no server answers
 * within {@link ClientSettings#reconnectTimeout()}, every waiting request fails with UNAVAILABLE and the
 * connection is closed. Listeners ({@link #onReconnected}) learn the new server and its term.
 *
 * <p>OUTCOMES. A request that changes something (a namespace mutation, STORE, VOLUME_CREATE) that the server
 * answers with TIMEOUT or UNAVAILABLE may or may not have been applied. It is sent again with its same id, after
 * a growing pause (100 ms up to 2 s), until the server answers anything else (a request it had applied is
 * answered as it was then) or the reconnect timeout has passed since the first such answer; then, as when a
 * connection is lost for good with such a request sent, it fails with {@link OutcomeUnknownException}.
 *
 * <p>Request ids never repeat for one client id: each connection object starts its counter at its creation
 * time in milliseconds times 2^20, so even two connections sharing a client id do not collide. Without a client
 * id in the settings, the client uses the one the server issues in its first HelloReply (or, from a server that
 * issues none, a random UUID) and sends it in every later greeting, so its retries are recognised.
 */
public final class StrandConnection implements AutoCloseable {

    /** File bytes per DATA frame of a store: the server's chunk size, so each frame fills one chunk. */
    public static final int DATA_CHUNK_SIZE = 256 * 1024;

    /** The DATA_END length that abandons a store: never equal to a byte count, so always refused. */
    static final long ABANDONED_STORE_LENGTH = -1;

    /** How long {@link #close()} waits for the server to answer the Farewell. */
    private static final long FAREWELL_WAIT_MILLIS = 2_000;

    private static final long FIRST_RECONNECT_DELAY_MILLIS = 50;
    private static final long MAX_RECONNECT_DELAY_MILLIS = 1_000;
    private static final long FIRST_RESEND_DELAY_MILLIS = 100;
    private static final long MAX_RESEND_DELAY_MILLIS = 2_000;

    /** The last request-id base handed out in this JVM: bases only grow (see the class comment). */
    private static final AtomicLong LAST_ID_BASE = new AtomicLong();

    /** What a reconnect found: the server now serving this client and its greeting answer. */
    public record Reconnected(ServerAddress server, HelloReply helloReply, long previousServerTerm) {
        /** True when the server behind the client changed (a restart, a failover): cached state is suspect. */
        public boolean termChanged() {
            return helloReply.serverTerm() != previousServerTerm;
        }
    }

    private final ClientSettings settings;
    private final List<ServerAddress> servers;
    private final AtomicLong nextRequestId = new AtomicLong(newRequestIdBase());
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final List<Consumer<Reconnected>> reconnectListeners = new CopyOnWriteArrayList<>();

    /** Guards {@link #transport} and {@link #generation}. */
    private final Object stateLock = new Object();
    /** The live socket; null while reconnecting (and once closed). */
    private Transport transport;
    private int generation;
    private volatile ServerAddress current;
    private volatile int reconnects;
    private final AtomicLong resent = new AtomicLong();

    private volatile Semaphore inFlight = new Semaphore(1);
    private volatile int inFlightLimit = 1;
    private volatile HelloReply helloReply;
    /** The id this client's requests are known by: the settings', else the one the first greeting gave. */
    private volatile String clientId;
    /** Non-null once the connection is closed for good: the message requests fail with from then on. */
    private volatile String closedMessage;

    private StrandConnection(ClientSettings settings) {
        this.settings = settings;
        this.servers = settings.servers();
        this.current = settings.server();
        this.clientId = settings.clientId();
        this.workers = Executors.newCachedThreadPool(daemonThreads("strand-client-" + settings.server()));
    }

    private static long newRequestIdBase() {
        long now = System.currentTimeMillis() << 20;
        return LAST_ID_BASE.updateAndGet(last -> Math.max(now, last + (1L << 20)));
    }

    /**
     * Opens a connection to the first of the settings' servers that accepts it and performs the greeting.
     *
     * @throws UnavailableException if no server can be reached
     * @throws StrandException      of the server's status if it refuses the greeting (WRONG_CLUSTER, ...)
     */
    public static StrandConnection connect(ClientSettings settings) {
        StrandConnection connection = new StrandConnection(settings);
        StrandException failure = null;
        for (ServerAddress address : settings.servers()) {
            try {
                connection.open(address, settings.connectTimeout().toMillis());
                return connection;
            } catch (StrandException e) {
                failure = e;
            }
        }
        connection.shutdown("connection to " + settings.servers() + " closed: no server accepted it");
        throw failure;
    }

    /** Connects to {@code address}, greets it and makes it the live transport; on failure leaves nothing open. */
    private void open(ServerAddress address, long connectTimeoutMillis) {
        Socket socket = new Socket();
        Transport t;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeoutMillis)));
            synchronized (stateLock) {
                t = new Transport(++generation, address, socket);
            }
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new UnavailableException("cannot connect to " + address + ": unknown host " + address.host());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UnavailableException("cannot connect to " + address + ": " + e.getMessage());
        }
        t.reader.start();
        HelloReply reply;
        try {
            reply = greet(t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        synchronized (stateLock) {
            if (closedMessage != null) {
                t.close();
                throw new UnavailableException(closedMessage);
            }
            if (helloReply == null) {
                // the first greeting sets the limit; a reconnect keeps it (requests already hold its permits)
                int limit = reply.maxRequestsInFlight() > 0 ? reply.maxRequestsInFlight()
                        : ProtocolLimits.MAX_REQUESTS_IN_FLIGHT;
                inFlightLimit = limit;
                inFlight = new Semaphore(limit);
            }
            helloReply = reply;
            if (clientId == null) {
                clientId = reply.clientId() != null ? reply.clientId() : java.util.UUID.randomUUID().toString();
            }
            current = address;
            transport = t;
        }
    }

    private HelloReply greet(Transport t) {
        Hello hello = new Hello(ProtocolLimits.PROTOCOL_VERSION, settings.clusterId(), settings.clientName(),
                clientId, "none", null);
        Pending p = register(Opcode.HELLO, hello, null, null, false);
        if (p.future().isDone()) {
            return awaitGreeting(p, t);
        }
        p.claim(t.generation);
        try {
            t.write(p.frame);
        } catch (IOException e) {
            fail(p.id, new UnavailableException("cannot greet " + t.address + ": " + e.getMessage()));
        }
        return awaitGreeting(p, t);
    }

    private HelloReply awaitGreeting(Pending p, Transport t) {
        HelloReply reply;
        try {
            reply = p.<HelloReply>future().get(settings.greetingTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.remove(p.id);
            throw new TimeoutException("no answer to the greeting from " + t.address + " within "
                    + settings.greetingTimeout().toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while greeting " + t.address);
        } catch (ExecutionException e) {
            throw asStrandException(e.getCause());
        }
        if (reply.clusterId() != null && !reply.clusterId().equals(settings.clusterId())) {
            throw new WrongClusterException("server " + t.address + " belongs to cluster '" + reply.clusterId()
                    + "', not '" + settings.clusterId() + "'");
        }
        return reply;
    }

    /** The server's answer to the latest greeting (its term, session, limits). */
    public HelloReply helloReply() {
        return helloReply;
    }

    /** The id the server knows this client's requests by (see the class comment). */
    public String clientId() {
        return clientId;
    }

    /** The term of the server now serving this client; it changes when the server does. */
    public long serverTerm() {
        return helloReply.serverTerm();
    }

    public ClientSettings settings() {
        return settings;
    }

    /** {@code HOST:PORT} of the server this client talks to (the latest one while reconnecting). */
    public String peer() {
        return current.toString();
    }

    /** True until closed for good (also while reconnecting). */
    public boolean isOpen() {
        return closedMessage == null;
    }

    /** True while a live socket serves the requests (false while reconnecting). */
    public boolean isConnected() {
        synchronized (stateLock) {
            return transport != null;
        }
    }

    /** How many times this connection reconnected. */
    public int reconnects() {
        return reconnects;
    }

    /** How many requests were sent again after a reconnect. */
    public long resentRequests() {
        return resent.get();
    }

    /** Tells {@code listener} (on a worker thread) about every successful reconnect. */
    public void onReconnected(Consumer<Reconnected> listener) {
        reconnectListeners.add(listener);
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
        return send(register(op, request, null, null, true)).future();
    }

    /**
     * Replaces a file's contents with {@code length} bytes from {@code source} (-1: until its end). The bytes are
     * read and sent on a worker thread in DATA frames of at most {@link #DATA_CHUNK_SIZE}; completes with the
     * file's new attributes. {@code progress} (may be null) is told the bytes sent so far.
     *
     * <p>If the source fails or ends before {@code length} bytes, the store is abandoned: its DATA_END carries
     * length -1, which never matches the bytes sent, so the server refuses it and the file stays as it was; the
     * future fails with the local {@link IOException}. After a lost connection the store starts over from the
     * source's position at this call if the source is a {@link SeekableByteChannel}.
     */
    public CompletableFuture<Attr> store(Fid fid, long length, ReadableByteChannel source, LongConsumer progress) {
        Pending p = register(Opcode.STORE, new Store(fid, length), null, progress, true);
        p.upload = new Upload(length, source);
        return send(p).future();
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
     *
     * <p>{@code expectDataVersion} (null: any) is the {@link Attr#dataVersion()} the bytes must come from, sent
     * with every attempt: if the file is at another version the fetch fails with
     * {@link dev.strand.protocol.error.ChangedException} (CHANGED). After a lost connection the fetch continues
     * from the bytes its sink already has, and only then is the version essential: without one, a fetch that
     * had delivered bytes fails with {@link UnavailableException} rather than risk splicing two versions of the
     * file (a fetch that had delivered nothing is simply sent again).
     */
    public CompletableFuture<FetchReply> fetch(Fid fid, Long expectDataVersion, long offset, long length,
                                               WritableByteChannel sink, LongConsumer progress) {
        DataSink dataSink = (bytes) -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                sink.write(buf);
            }
        };
        return send(register(Opcode.FETCH, new Fetch(fid, offset, length, expectDataVersion), dataSink, progress,
                true)).future();
    }

    /** {@link #fetch(Fid, Long, long, long, WritableByteChannel, LongConsumer)} into a stream. */
    public CompletableFuture<FetchReply> fetch(Fid fid, Long expectDataVersion, long offset, long length,
                                               OutputStream sink, LongConsumer progress) {
        DataSink dataSink = sink::write;
        return send(register(Opcode.FETCH, new Fetch(fid, offset, length, expectDataVersion), dataSink, progress,
                true)).future();
    }

    /** A fetch of whatever version the file has: see {@link #fetch(Fid, Long, long, long, WritableByteChannel, LongConsumer)}. */
    public CompletableFuture<FetchReply> fetch(Fid fid, long offset, long length, WritableByteChannel sink,
                                               LongConsumer progress) {
        return fetch(fid, null, offset, length, sink, progress);
    }

    /** A fetch of whatever version the file has, into a stream. */
    public CompletableFuture<FetchReply> fetch(Fid fid, long offset, long length, OutputStream sink,
                                               LongConsumer progress) {
        return fetch(fid, null, offset, length, sink, progress);
    }

    /** Says Farewell, waits briefly for the answer, then closes. Pending requests fail with UNAVAILABLE. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (isConnected()) {
            try {
                send(register(Opcode.FAREWELL, new Farewell(), null, null, false)).future()
                        .get(FAREWELL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // the goodbye is a courtesy: closing goes ahead regardless
            }
        }
        shutdown("connection to " + peer() + " closed");
    }

    // ---- sending --------------------------------------------------------------------------------

    /**
     * Takes a request id and registers the request (or fails it at once: its body does not fit a frame, or the
     * connection is closed). Requests that hold a permit ({@code usePermit}) are the ones resent after a
     * reconnect; HELLO and FAREWELL belong to one socket.
     */
    private Pending register(Opcode op, Request request, DataSink sink, LongConsumer progress, boolean usePermit) {
        Semaphore permits = usePermit ? inFlight : null;
        if (permits != null) {
            permits.acquireUninterruptibly();
        }
        long id = nextRequestId.getAndIncrement();
        Pending p = new Pending(id, op, request, sink, progress, permits);
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
        // checked after registering: shutdown() marks closed before it sweeps the map, so either it sees this
        // request or this sees the mark
        String closed = closedMessage;
        if (closed != null) {
            fail(id, new UnavailableException(closed));
        }
        return p;
    }

    /** Sends a registered request on the live socket; while reconnecting it waits to be sent on the next one. */
    private Pending send(Pending p) {
        if (p.future().isDone()) {
            return p;
        }
        Transport t;
        synchronized (stateLock) {
            t = transport;
        }
        if (t != null) {
            transmit(p, t);
        } else if (!p.resendable()) {
            fail(p.id, new UnavailableException("connection to " + peer() + " lost; reconnecting"));
        }
        return p;
    }

    /** Sends {@code p} on {@code t}, once per socket (the sender and a reconnect may both try). */
    private void transmit(Pending p, Transport t) {
        if (!p.claim(t.generation)) {
            return;
        }
        try {
            if (p.opcode == Opcode.FETCH && p.received > 0) {
                Fetch original = (Fetch) p.request;
                if (original.expectDataVersion() == null) {
                    // the rest could come from a newer version of the file, and nothing would tell
                    fail(p.id, new UnavailableException("connection to " + peer() + " lost after " + p.received
                            + " bytes of a fetch of " + original.fid() + " that names no data version, so it "
                            + "cannot be resumed safely; fetch it again"));
                    return;
                }
                long length = original.length() < 0 ? -1 : original.length() - p.received;
                p.resumedAt = p.received;
                // the version of the first attempt: the server refuses with CHANGED if the file moved on
                t.write(FrameCodec.encode(Frame.request(Opcode.FETCH, p.id, WireCodec.encode(
                        new Fetch(original.fid(), original.offset() + p.received, length,
                                original.expectDataVersion())))));
            } else {
                t.write(p.frame);
            }
        } catch (IOException e) {
            connectionLost(t, e);
            return;
        }
        if (p.upload != null) {
            try {
                workers.execute(() -> upload(p, t));
            } catch (RejectedExecutionException e) {
                fail(p.id, new UnavailableException(closedMessageOr("connection to " + peer() + " closed")));
            }
        }
    }

    /** True once the server's final answer (or the connection's end) has settled the request. */
    private boolean settled(Pending request) {
        return pending.get(request.id) != request;
    }

    /** Streams a store's bytes on {@code t}; a newer attempt (after a reconnect) waits for this one to stop. */
    private void upload(Pending request, Transport t) {
        Upload upload = request.upload;
        synchronized (upload) {
            if (settled(request) || request.generation() != t.generation) {
                return;
            }
            if (upload.attempts++ > 0) {
                try {
                    upload.rewind();
                } catch (IOException e) {
                    fail(request.id, new UnavailableException("the connection was lost during a store and its source "
                            + "cannot be read again: " + e.getMessage()));
                    return;
                }
            }
            try {
                streamData(request, upload, t);
            } catch (IOException e) {
                connectionLost(t, e);
                return;
            }
        }
        Throwable failure = request.localFailure;
        if (failure != null) {
            // fail now; the request stays registered so the server's answer still frees its slot
            request.future().completeExceptionally(failure);
        }
    }

    private void streamData(Pending request, Upload upload, Transport t) throws IOException {
        int chunk = chunkSize();
        long length = upload.length;
        long sent = 0;
        while (!settled(request) && request.generation() == t.generation) {
            int want = length < 0 ? chunk : (int) Math.min(chunk, length - sent);
            if (want == 0) {
                break;
            }
            byte[] bytes;
            try {
                bytes = readUpTo(upload.source, want);
            } catch (IOException | RuntimeException e) {
                request.localFailure = e;
                break;
            }
            upload.consumed = true;
            if (bytes.length == 0) {
                if (length >= 0) {
                    request.localFailure = new EOFException("source ended after " + sent + " of " + length + " bytes");
                }
                break;
            }
            t.write(FrameCodec.encode(Frame.data(Opcode.STORE.code(), request.id, bytes)));
            sent += bytes.length;
            report(request.progress, sent);
        }
        if (settled(request) || request.generation() != t.generation) {
            return; // the server already answered (an error), or the socket went: no DATA_END here
        }
        // a store that failed here is abandoned with a length that can never match what was sent, which the
        // server must refuse, leaving the file unchanged
        long endLength = request.localFailure == null ? sent : ABANDONED_STORE_LENGTH;
        upload.ended = true;
        t.write(FrameCodec.encode(Frame.dataEnd(Opcode.STORE.code(), request.id,
                WireCodec.encode(new StoreEnd(endLength)))));
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

    // ---- receiving ------------------------------------------------------------------------------

    private void readLoop(Transport t) {
        Exception cause;
        try {
            while (true) {
                Frame frame = FrameCodec.read(t.in);
                if (frame == null) {
                    cause = new EOFException("server closed the connection");
                    break;
                }
                dispatch(frame, t);
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        }
        connectionLost(t, cause);
    }

    private void dispatch(Frame frame, Transport t) {
        switch (frame.type()) {
            case REPLY, ERROR -> {
                Pending p = pending.get(frame.requestId());
                // an answer read from an older socket, for a request already sent again, is left to the new one
                if (p == null || p.generation() != t.generation) {
                    return;
                }
                StrandException error = frame.type() == FrameType.ERROR ? WireCodec.decodeError(frame.body()) : null;
                if (error != null && p.localFailure == null && resendToLearnOutcome(p, error, t.generation)) {
                    return;
                }
                if (!pending.remove(frame.requestId(), p)) {
                    return;
                }
                p.releasePermit();
                if (error == null) {
                    completeWithReply(p, frame.body());
                } else {
                    Throwable local = p.localFailure;
                    completeLater(p.future(), null, local != null ? local : error);
                }
            }
            case DATA -> {
                Pending p = pending.get(frame.requestId());
                if (p != null && p.generation() == t.generation) {
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
            reply = WireCodec.decode(body, p.opcode.replyType());
        } catch (StrandException e) {
            completeLater(p.future(), null, e);
            return;
        }
        if (reply instanceof FetchReply fetched && p.sink != null) {
            long thisAttempt = p.received - p.resumedAt;
            if (fetched.bytes() != thisAttempt) {
                completeLater(p.future(), null, new BadFrameException("fetch announced " + fetched.bytes()
                        + " bytes but " + thisAttempt + " arrived"));
                return;
            }
            reply = new FetchReply(fetched.attr(), p.received); // all the bytes, over every attempt
        }
        completeLater(p.future(), reply, null);
    }

    // ---- failure, reconnecting and shutdown -----------------------------------------------------

    /** Requests that change something: a lost answer leaves their outcome unknown. */
    private static boolean changesState(Opcode op) {
        return op == Opcode.VOLUME_CREATE || op == Opcode.STORE
                || (op.code() >= Opcode.CREATE.code() && op.code() <= Opcode.SET_ATTR.code());
    }

    /**
     * A request that changes something answered TIMEOUT or UNAVAILABLE: sends it again later with its id (see the
     * class comment), or fails it with {@link OutcomeUnknownException} once the reconnect timeout has passed.
     * False if the error is the answer to pass on.
     */
    private boolean resendToLearnOutcome(Pending p, StrandException error, int answeredOn) {
        if (!p.resendable() || !changesState(p.opcode)
                || (error.status() != Status.TIMEOUT && error.status() != Status.UNAVAILABLE)
                || (p.upload != null && !p.upload.ended)) { // a store refused before its DATA_END changed nothing
            return false;
        }
        long now = System.nanoTime();
        if (p.unsureSince == 0) {
            p.unsureSince = now;
        }
        boolean expired = now - p.unsureSince >= settings.reconnectTimeout().toNanos();
        if (expired || closing.get() || (p.upload != null && !p.upload.canStartOver())) {
            if (pending.remove(p.id, p)) {
                p.releasePermit();
                completeLater(p.future(), null, outcomeUnknown(p, error.status() + ": " + error.getMessage()));
            }
            return true;
        }
        long delay = Math.min(MAX_RESEND_DELAY_MILLIS, FIRST_RESEND_DELAY_MILLIS << Math.min(p.resends++, 5));
        try {
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, workers)
                    .execute(() -> resendNow(p, answeredOn));
        } catch (RejectedExecutionException e) {
            return false; // shutting down: the error stands
        }
        return true;
    }

    /**
     * Sends {@code p} again on the socket that answered it ({@code answeredOn}) if that is still the live one;
     * after a reconnect, the reconnect has sent it on the new socket already.
     */
    private void resendNow(Pending p, int answeredOn) {
        Transport t;
        synchronized (stateLock) {
            t = transport;
        }
        // a store's bytes of the previous attempt must all be written before its next REQUEST frame
        synchronized (p.upload != null ? p.upload : p) {
            if (settled(p) || t == null || t.generation != answeredOn || !p.unclaim(answeredOn)) {
                return;
            }
        }
        resent.incrementAndGet();
        transmit(p, t);
    }

    private OutcomeUnknownException outcomeUnknown(Pending p, String reason) {
        return new OutcomeUnknownException(p.opcode + " request " + p.id + " was sent, but no server said whether it "
                + "was applied (" + reason + "); look at what it was to change before trying it again");
    }

    /** How a request fails when the connection ends for good: outcome unknown if it was sent and changes something. */
    private StrandException closedFailure(Pending p, String reason) {
        boolean maybeApplied = p.generation() > 0 && p.resendable() && changesState(p.opcode)
                && (p.upload == null || p.upload.ended); // a store without its DATA_END cannot have committed
        return maybeApplied ? outcomeUnknown(p, reason) : new UnavailableException(reason);
    }

    private void fail(long id, Throwable error) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.releasePermit();
            completeLater(p.future(), null, error);
        }
    }

    /** {@code t} is gone: fail what belonged to it alone, then reconnect (or give up, if so configured). */
    private void connectionLost(Transport t, Exception cause) {
        boolean wasLive;
        synchronized (stateLock) {
            wasLive = transport == t;
            if (wasLive) {
                transport = null;
            }
        }
        t.close();
        String reason = cause == null || cause.getMessage() == null
                ? (cause == null ? "unknown cause" : cause.getClass().getSimpleName()) : cause.getMessage();
        String lost = "connection to " + t.address + " lost: " + reason;
        for (Pending p : pending.values()) {
            if (!p.resendable() && p.generation() == t.generation) {
                fail(p.id, new UnavailableException(lost));
            }
        }
        if (!wasLive) {
            return; // a socket still greeting, or one already replaced
        }
        if (closing.get()) {
            shutdown("connection to " + t.address + " closed");
        } else if (settings.reconnectTimeout().isZero()) {
            shutdown(lost);
        } else {
            Thread reconnecting = new Thread(() -> reconnect(t, lost), "strand-reconnect-" + t.address);
            reconnecting.setDaemon(true);
            reconnecting.start();
        }
    }

    /** Goes round the servers until one greets us, then resends every waiting request; gives up at the bound. */
    private void reconnect(Transport lost, String reason) {
        long deadline = System.nanoTime() + settings.reconnectTimeout().toNanos();
        try {
            lost.reader.join(1_000); // its last frames are dispatched before anything is resent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long previousTerm = helloReply.serverTerm();
        int start = servers.indexOf(lost.address) + 1; // the next server first; the lost one last
        long delay = FIRST_RECONNECT_DELAY_MILLIS;
        String lastFailure = reason;
        for (int attempt = 0; closedMessage == null && !closing.get(); attempt++) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0) {
                break;
            }
            ServerAddress address = servers.get(Math.floorMod(start + attempt, servers.size()));
            try {
                open(address, Math.min(settings.connectTimeout().toMillis(), remainingMillis));
                reconnected(address, previousTerm);
                return;
            } catch (RuntimeException e) {
                lastFailure = e.getMessage();
            }
            if ((attempt + 1) % servers.size() == 0) { // a whole round failed: pause before the next
                long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
                try {
                    Thread.sleep(Math.max(0, Math.min(jittered,
                            TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MILLIS);
            }
        }
        shutdown(reason + "; no server of " + servers + " answered within "
                + Duration.ofNanos(settings.reconnectTimeout().toNanos()).toSeconds() + "s (last: " + lastFailure + ")");
    }

    private void reconnected(ServerAddress address, long previousTerm) {
        Transport t;
        synchronized (stateLock) {
            t = transport;
        }
        if (t == null) {
            return; // lost again already: that loss reconnects
        }
        reconnects++;
        List<Pending> waiting = new ArrayList<>(pending.values());
        waiting.sort((a, b) -> Long.compare(a.id, b.id)); // in the order they were made
        for (Pending p : waiting) {
            if (p.resendable() && !settled(p)) {
                if (p.upload != null && !p.upload.canStartOver()) {
                    fail(p.id, closedFailure(p, "the connection was lost during a store whose source "
                            + "cannot be read again"));
                } else if (p.generation() > 0) {
                    resent.incrementAndGet();
                    transmit(p, t);
                } else {
                    transmit(p, t); // made while reconnecting: its first sending
                }
            }
        }
        Reconnected event = new Reconnected(address, helloReply, previousTerm);
        for (Consumer<Reconnected> listener : reconnectListeners) {
            try {
                workers.execute(() -> listener.accept(event));
            } catch (RejectedExecutionException e) {
                return;
            }
        }
    }

    /** Marks the connection closed (the first reason wins), closes the socket and fails every pending request. */
    private void shutdown(String message) {
        boolean first;
        Transport t;
        synchronized (stateLock) {
            first = closedMessage == null;
            if (first) {
                closedMessage = message;
            }
            t = transport;
            transport = null;
        }
        if (t != null) {
            t.close();
        }
        String reason = closedMessage;
        for (Pending p : pending.values()) {
            fail(p.id, closedFailure(p, reason));
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

    /** One socket to one server, with its reader thread. */
    private final class Transport {
        final int generation;
        final ServerAddress address;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final Thread reader;
        private final Object writeLock = new Object();

        Transport(int generation, ServerAddress address, Socket socket) throws IOException {
            this.generation = generation;
            this.address = address;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            this.out = socket.getOutputStream();
            this.reader = new Thread(() -> readLoop(this), "strand-reader-" + address);
            this.reader.setDaemon(true);
        }

        /** Writes one whole encoded frame; the lock keeps frames from different threads from interleaving. */
        void write(byte[] bytes) throws IOException {
            synchronized (writeLock) {
                out.write(bytes);
                out.flush();
            }
        }

        void close() {
            closeQuietly(socket);
        }
    }

    /** Where the DATA of a fetch goes. */
    @FunctionalInterface
    private interface DataSink {
        void write(byte[] bytes) throws IOException;
    }

    /** The bytes of a store, and whether they can be sent again after a lost connection. */
    private static final class Upload {
        final long length;
        final ReadableByteChannel source;
        /** Where a seekable source stood at the start; -1 if it cannot seek. */
        final long startPosition;
        int attempts;
        volatile boolean consumed;
        /** A DATA_END was sent (on some attempt): only then may the server have committed the store. */
        volatile boolean ended;

        Upload(long length, ReadableByteChannel source) {
            this.length = length;
            this.source = source;
            long start = -1;
            if (source instanceof SeekableByteChannel seekable) {
                try {
                    start = seekable.position();
                } catch (IOException e) {
                    start = -1;
                }
            }
            this.startPosition = start;
        }

        boolean canStartOver() {
            return startPosition >= 0 || !consumed;
        }

        void rewind() throws IOException {
            if (startPosition >= 0) {
                ((SeekableByteChannel) source).position(startPosition);
            } else if (consumed) {
                throw new IOException("the source is a stream that cannot be rewound");
            }
        }
    }

    /** A request waiting for its answer. */
    private final class Pending {
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

        Pending(long id, Opcode opcode, Request request, DataSink sink, LongConsumer progress, Semaphore permits) {
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
