package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Farewell;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A client's link to a Strand cluster: one TCP connection at a time, multiplexing many requests, that
 * survives the loss of its server.
 *
 * <p>Requests get ids from a counter and wait in a table until their REPLY or ERROR arrives, so answers may
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
 * <p>Request ids never repeat for one client id ({@link RequestTable}). Without a client id in the settings, the
 * client uses the one the server issues in its first HelloReply (or, from a server that issues none, a random
 * UUID) and sends it in every later greeting, so its retries are recognised.
 *
 * <p>When the server closes the connection with an ERROR about the connection itself (request id 0: at its
 * connection limit, no greeting in time, idle), requests fail with that ERROR's status and message, not with a
 * bare "connection closed".
 *
 * <p>The parts: {@link Transport} (a socket and its reader), {@link Greeting} (the HELLO exchange on each
 * socket), {@link RequestTable} (requests waiting for answers), {@link UploadStreamer} (a store's DATA),
 * {@link Reconnector} (a lost socket) and {@link OutcomeRetry} (changes whose outcome is unknown). This class holds the connection's state and its public face.
 */
public final class StrandConnection implements AutoCloseable {

    /** File bytes per DATA frame of a store: the server's chunk size, so each frame fills one chunk. */
    public static final int DATA_CHUNK_SIZE = 256 * 1024;

    /** How long {@link #close()} waits for the server to answer the Farewell. */
    private static final long FAREWELL_WAIT_MILLIS = 2_000;

    /** What a reconnect found: the server now serving this client and its greeting answer. */
    public record Reconnected(ServerAddress server, HelloReply helloReply, long previousServerTerm) {
        /** True when the server behind the client changed (a restart, a failover): cached state is suspect. */
        public boolean termChanged() {
            return helloReply.serverTerm() != previousServerTerm;
        }
    }

    private final ClientSettings settings;
    private final RequestTable requests;
    private final UploadStreamer uploads;
    private final Reconnector reconnector;
    private final ReplyDispatcher dispatcher;
    private final Greeting greeting;
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

    private volatile HelloReply helloReply;
    /** The id this client's requests are known by: the settings', else the one the first greeting gave. */
    private volatile String clientId;
    /** Non-null once the connection is closed for good: the message requests fail with from then on. */
    private volatile String closedMessage;

    private StrandConnection(ClientSettings settings) {
        this.settings = settings;
        this.current = settings.server();
        this.clientId = settings.clientId();
        this.requests = new RequestTable(settings.server().toString());
        this.uploads = new UploadStreamer(this, requests);
        this.reconnector = new Reconnector(this, requests, settings);
        this.dispatcher = new ReplyDispatcher(requests, new OutcomeRetry(this, requests), reconnector);
        this.greeting = new Greeting(settings, requests, () -> closedMessage);
    }

    /**
     * Opens a connection to the first of the settings' servers that accepts it and performs the greeting.
     *
     * @throws UnavailableException if no server can be reached
     * @throws StrandException      of the server's status if it refuses the greeting (WRONG_CLUSTER, ...) or the
     *                              connection (UNAVAILABLE at its connection limit, with its message)
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
    void open(ServerAddress address, long connectTimeoutMillis) {
        Transport t = Transport.connect(address, connectTimeoutMillis, () -> {
            synchronized (stateLock) {
                return ++generation;
            }
        }, dispatcher);
        HelloReply reply;
        try {
            reply = greeting.exchange(t, clientId);
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
                requests.limitInFlight(reply.maxRequestsInFlight() > 0 ? reply.maxRequestsInFlight()
                        : ProtocolLimits.MAX_REQUESTS_IN_FLIGHT);
            }
            helloReply = reply;
            if (clientId == null) {
                clientId = reply.clientId() != null ? reply.clientId() : UUID.randomUUID().toString();
            }
            current = address;
            transport = t;
        }
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
        return requests.inFlightLimit();
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
        PendingRequest p = register(Opcode.STORE, new Store(fid, length), null, progress, true);
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
        PendingRequest.DataSink dataSink = (bytes) -> {
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
        PendingRequest.DataSink dataSink = sink::write;
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

    private PendingRequest register(Opcode op, Request request, PendingRequest.DataSink sink, LongConsumer progress,
                                    boolean usePermit) {
        return requests.register(op, request, sink, progress, usePermit, () -> closedMessage);
    }

    /** Sends a registered request on the live socket; while reconnecting it waits to be sent on the next one. */
    private PendingRequest send(PendingRequest p) {
        if (p.future().isDone()) {
            return p;
        }
        Transport t = liveTransport();
        if (t != null) {
            transmit(p, t);
        } else if (!p.resendable()) {
            requests.fail(p.id, new UnavailableException("connection to " + peer() + " lost; reconnecting"));
        }
        return p;
    }

    /** Sends {@code p} again on {@code t} (after a reconnect, or to learn its outcome), counting it. */
    void resend(PendingRequest p, Transport t) {
        resent.incrementAndGet();
        transmit(p, t);
    }

    /** Sends {@code p} on {@code t}, once per socket (the sender and a reconnect may both try). */
    void transmit(PendingRequest p, Transport t) {
        if (!p.claim(t.generation)) {
            return;
        }
        try {
            if (p.opcode == Opcode.FETCH && p.received > 0) {
                Fetch original = (Fetch) p.request;
                if (original.expectDataVersion() == null) {
                    // the rest could come from a newer version of the file, and nothing would tell
                    requests.fail(p.id, new UnavailableException("connection to " + peer() + " lost after "
                            + p.received + " bytes of a fetch of " + original.fid() + " that names no data version, "
                            + "so it cannot be resumed safely; fetch it again"));
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
        if (p.upload != null && !requests.execute(() -> uploads.upload(p, t))) {
            requests.fail(p.id, new UnavailableException(closedMessageOr("connection to " + peer() + " closed")));
        }
    }

    // ---- the connection's state, for its parts ----------------------------------------------------

    /** The live socket, or null while reconnecting (and once closed). */
    Transport liveTransport() {
        synchronized (stateLock) {
            return transport;
        }
    }

    /** {@code t} is no longer the live socket; true if it was. */
    boolean detach(Transport t) {
        synchronized (stateLock) {
            if (transport != t) {
                return false;
            }
            transport = null;
            return true;
        }
    }

    boolean isClosing() {
        return closing.get();
    }

    void countReconnect() {
        reconnects++;
    }

    void announceReconnect(Reconnected event) {
        for (Consumer<Reconnected> listener : reconnectListeners) {
            if (!requests.execute(() -> listener.accept(event))) {
                return;
            }
        }
    }

    void connectionLost(Transport t, Exception cause) {
        reconnector.lost(t, cause);
    }

    /** Marks the connection closed (the first reason wins), closes the socket and fails every pending request. */
    void shutdown(String message) {
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
        for (PendingRequest p : requests.inOrder()) {
            requests.fail(p.id, OutcomeRetry.closedFailure(p, reason));
        }
        if (first) {
            requests.close();
        }
    }

    private String closedMessageOr(String fallback) {
        String m = closedMessage;
        return m == null ? fallback : m;
    }
}
