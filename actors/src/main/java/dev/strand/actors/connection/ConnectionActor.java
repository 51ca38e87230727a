package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.metrics.ConnectionMetrics;
import dev.strand.metrics.StrandMetrics;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.FileSizes;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Names;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.*;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One client connection: the greeting, request ids, many requests in flight, streamed STORE and FETCH with
 * back-pressure, and the farewell. Frames arrive from the socket through a back-pressured sink (the next frame
 * comes only after this actor acks the previous one) and leave through a back-pressured source (this actor keeps
 * an outbox and hands the socket one batch at a time). Requests are forwarded to the volume registry and to the
 * volume replicas; this actor holds no file-system state of its own.
 *
 * <p>Reading stops (the inbound ack is withheld) while a STORE's data waits on storage or while more than
 * {@link ConnectionSettings#maxOutboxBytes()} wait for the client to read them, so a fast client (or one that
 * does not read) is slowed by TCP rather than by the server's memory. A request beyond
 * {@link ProtocolLimits#MAX_REQUESTS_IN_FLIGHT} is refused, never left unread: a STORE in flight needs the
 * connection's later frames to finish.
 *
 * <p>Every connection ends: one that does not greet within the HELLO timeout, or on which nothing moves for the
 * idle timeout, is closed; one whose client half-closed its side is answered everything it asked, then closed;
 * one that cannot hand its last bytes to its client within the close timeout is cut off.
 */
public final class ConnectionActor extends AbstractBehavior<ConnectionActor.Command> {

    // ---- protocol --------------------------------------------------------------------------------

    public sealed interface Command {}

    /** An element of the inbound stream: a decoded frame, or the reason the bytes were not one. */
    public sealed interface Inbound {
        record Decoded(Frame frame) implements Inbound {}

        record Malformed(String reason) implements Inbound {}
    }

    /** What the inbound sink waits for before it delivers the next frame. */
    public enum InboundAck { INSTANCE }

    /** Elements of the outbound stream. */
    public sealed interface Outbound {
        record Bytes(ByteString bytes) implements Outbound {}

        /** Ends the stream once what was handed to it is written. */
        enum Close implements Outbound { INSTANCE }

        /** Ends the stream at once, unsent bytes or not: the socket is reset. */
        enum Abort implements Outbound { INSTANCE }
    }

    public record InboundStarted(ActorRef<InboundAck> ackTo) implements Command {}

    public record InboundElement(Inbound element, ActorRef<InboundAck> ackTo) implements Command {}

    public enum InboundCompleted implements Command { INSTANCE }

    public record InboundFailed(Throwable cause) implements Command {}

    /** The outbound stream's materialised end; arrives once, right after the connection is wired. */
    public record AttachOutbound(ActorRef<Outbound> outbound) implements Command {}

    /** The outbound stream took the last batch and wants the next. */
    public enum OutboundAck implements Command { INSTANCE }

    /** The outbound stream has ended (closed by us, or the socket went away): nothing more can be sent. */
    public enum OutboundFinished implements Command { INSTANCE }

    private record Answered(long requestId, int opcode, Reply reply) implements Command {}

    /** This connection's timers (see {@link ConnectionSettings}). */
    private enum Timeout implements Command { HELLO, IDLE, CLOSE }

    private record Failed(long requestId, int opcode, StrandException error) implements Command {}

    // Results of a STORE's or FETCH's own async steps carry the transfer itself, not its request id: an id may
    // be reused as soon as its request is answered, and a late result must not reach the new request.

    private record StorePrepared(StoreUpload upload, StrandException error) implements Command {}

    private record BlobRegistered(StoreUpload upload, Throwable failure) implements Command {}

    private record ChunkWritten(StoreUpload upload, Throwable failure) implements Command {}

    private record FetchOpened(FetchStream fetch, VolumeReplica.Result.FetchTarget target, StrandException error)
            implements Command {}

    private record ChunkRead(FetchStream fetch, long index, ByteBuffer data, Throwable failure) implements Command {}

    public static Behavior<Command> create(ServerIdentity identity, VolumeRouter router, ChunkStore chunks,
                                           String remoteAddress, ConnectionSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new ConnectionActor(ctx, timers, identity, router, chunks, remoteAddress, settings)));
    }

    // ---- state -----------------------------------------------------------------------------------

    static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
    /** How long VOLUME_INFO waits for the registry before it answers from a record this node already knows. */
    static final Duration KNOWN_VOLUME_LOOKUP_TIMEOUT = Duration.ofSeconds(1);
    /** Chunk writes one STORE keeps in flight; with 256 KiB chunks, 1 MiB of a stream waits on storage at most. */
    private static final int MAX_WRITES_IN_FLIGHT = 4;
    /** Chunk reads one FETCH keeps ahead of what it has sent. */
    private static final int MAX_READS_IN_FLIGHT = 4;
    /** A FETCH sends more only while less than this is queued for the socket. */
    private static final int OUTBOX_HIGH_WATER = 2 * ChunkStore.CHUNK_SIZE;
    /** Largest batch handed to the socket at once. */
    private static final int MAX_BATCH = 1 << 20;
    private static final AtomicLong SESSIONS = new AtomicLong();
    private static final ByteString ZEROS = ByteString.fromArrayUnsafe(new byte[ChunkStore.CHUNK_SIZE]);

    private final ServerIdentity identity;
    private final VolumeRouter router;
    private final ChunkStore chunks;
    private final String remote;
    private final ConnectionSettings settings;
    private final TimerScheduler<Command> timers;
    private final long sessionId = SESSIONS.incrementAndGet();
    private final ConnectionMetrics metrics = StrandMetrics.get(getContext().getSystem()).connectionOpened();
    /** When a byte last came from the client or was taken by it: the idle timeout counts from here. */
    private long lastActivityNanos = System.nanoTime();
    /** The client closed its side (or the whole socket): answer what is in flight, then close. */
    private boolean inputEnded;
    private boolean outboundFinished;

    private boolean greeted;
    /** The client's id from HELLO, or one issued by this server (unique: a random UUID) if it sent none. */
    private String clientId = "";
    private boolean closing;
    private boolean closeSent;

    private ActorRef<InboundAck> pendingInboundAck;
    private ActorRef<Outbound> outbound;
    private boolean outboundReady;
    private final ArrayDeque<ByteString> outbox = new ArrayDeque<>();
    private long outboxBytes;

    /** Requests in flight: id -> opcode. */
    private final Map<Long, Integer> inFlight = new HashMap<>();
    private final Map<Long, StoreUpload> uploads = new HashMap<>();
    private final Map<Long, FetchStream> fetches = new HashMap<>();

    private ConnectionActor(ActorContext<Command> context, TimerScheduler<Command> timers, ServerIdentity identity,
                            VolumeRouter router, ChunkStore chunks, String remote, ConnectionSettings settings) {
        super(context);
        this.identity = identity;
        this.router = router;
        this.chunks = chunks;
        this.remote = remote;
        this.settings = settings;
        this.timers = timers;
        timers.startSingleTimer(Timeout.HELLO, Timeout.HELLO, settings.helloTimeout());
        timers.startSingleTimer(Timeout.IDLE, Timeout.IDLE, settings.idleTimeout());
        context.getLog().debug("connection {} from {}", sessionId, remote);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(InboundStarted.class, m -> {
                    m.ackTo().tell(InboundAck.INSTANCE);
                    return this;
                })
                .onMessage(InboundElement.class, this::onInbound)
                .onMessage(InboundCompleted.class, m -> onInputEnded())
                .onMessage(InboundFailed.class, m -> onBrokenStream(m.cause().getMessage()))
                .onMessage(AttachOutbound.class, m -> {
                    outbound = m.outbound();
                    outboundReady = true;
                    drainOutbox();
                    return this;
                })
                .onMessage(OutboundFinished.class, m -> {
                    outboundFinished = true;
                    closing = true;
                    uploads.clear();
                    fetches.clear();
                    return Behaviors.stopped();
                })
                .onMessage(OutboundAck.class, m -> {
                    lastActivityNanos = System.nanoTime();
                    outboundReady = true;
                    drainOutbox();
                    List.copyOf(fetches.values()).forEach(this::pumpFetch); // a copy: a finished fetch leaves the map
                    return this;
                })
                .onMessage(Answered.class, m -> {
                    finish(m.requestId(), Frame.reply(m.opcode(), m.requestId(), WireCodec.encode(m.reply())));
                    return this;
                })
                .onMessage(Failed.class, m -> {
                    fail(m.requestId(), m.opcode(), m.error());
                    return this;
                })
                .onMessage(StorePrepared.class, this::onStorePrepared)
                .onMessage(BlobRegistered.class, this::onBlobRegistered)
                .onMessage(ChunkWritten.class, this::onChunkWritten)
                .onMessage(FetchOpened.class, this::onFetchOpened)
                .onMessage(ChunkRead.class, this::onChunkRead)
                .onMessage(Timeout.class, this::onTimeout)
                .onSignal(PostStop.class, s -> {
                    metrics.closed();
                    if (outbound != null && !outboundFinished) {
                        outbound.tell(Outbound.Abort.INSTANCE); // stopped by a failure: the socket must not outlive us
                    }
                    return this;
                })
                .build();
    }

    // ---- inbound ---------------------------------------------------------------------------------

    private Behavior<Command> onInbound(InboundElement m) {
        pendingInboundAck = m.ackTo();
        lastActivityNanos = System.nanoTime();
        if (closing) {
            return this; // not acked: nothing more is read from a connection that is closing
        }
        if (m.element() instanceof Inbound.Malformed bad) {
            return onBrokenStream(bad.reason());
        }
        Frame frame = ((Inbound.Decoded) m.element()).frame();
        switch (frame.type()) {
            case REQUEST -> onRequest(frame);
            case DATA -> onData(frame);
            case DATA_END -> onDataEnd(frame);
            default -> {
                return onBrokenStream("a client may not send " + frame.type() + " frames");
            }
        }
        ackInboundIfReady();
        return this;
    }

    /** A framing error: say so once, then close this connection (and only it). */
    private Behavior<Command> onBrokenStream(String reason) {
        getContext().getLog().info("closing connection {} from {}: bad frame: {}", sessionId, remote, reason);
        send(Frame.error(0, 0, WireCodec.encode(Status.BAD_FRAME.exception(reason).toErrorBody())));
        return closeConnection();
    }

    /**
     * The client will send nothing more. The requests it sent are still answered (a client may half-close its
     * socket after its last request), except STOREs still waiting for data, which can never end; once nothing
     * is in flight the connection closes.
     */
    private Behavior<Command> onInputEnded() {
        inputEnded = true;
        for (StoreUpload upload : List.copyOf(uploads.values())) {
            if (!upload.ended) {
                failStore(upload, new BadRequestException("the connection's input ended before this STORE's DATA_END"));
            }
        }
        return inFlight.isEmpty() ? closeConnection() : this;
    }

    private Behavior<Command> onTimeout(Timeout timeout) {
        switch (timeout) {
            case HELLO -> {
                if (!greeted && !closing) {
                    getContext().getLog().info("closing connection {} from {}: no HELLO within {} ms",
                            sessionId, remote, settings.helloTimeout().toMillis());
                    send(Frame.error(0, 0, WireCodec.encode(Status.GREETING_REQUIRED.exception("no successful HELLO "
                            + "within " + settings.helloTimeout().toMillis() + " ms of connecting; closing").toErrorBody())));
                    return closeConnection();
                }
            }
            case IDLE -> {
                long idle = System.nanoTime() - lastActivityNanos;
                long limit = settings.idleTimeout().toNanos();
                if (idle < limit) {
                    timers.startSingleTimer(Timeout.IDLE, Timeout.IDLE, Duration.ofNanos(limit - idle));
                } else if (closing) {
                    return abort();
                } else {
                    getContext().getLog().info("closing connection {} from {}: idle for {} ms",
                            sessionId, remote, settings.idleTimeout().toMillis());
                    send(Frame.error(0, 0, WireCodec.encode(Status.TIMEOUT.exception("nothing was sent or read on this "
                            + "connection for " + settings.idleTimeout().toMillis() + " ms; closing").toErrorBody())));
                    return closeConnection();
                }
            }
            case CLOSE -> {
                getContext().getLog().info("cutting connection {} from {} off: its client did not take its last bytes "
                        + "within {} ms", sessionId, remote, settings.closeTimeout().toMillis());
                return abort();
            }
        }
        return this;
    }

    /** Resets the socket, unsent bytes or not; the stream's end stops this actor. */
    private Behavior<Command> abort() {
        closing = true;
        if (outbound == null) {
            return Behaviors.stopped();
        }
        outbound.tell(Outbound.Abort.INSTANCE);
        return this;
    }

    /** Stops reading, lets everything already queued reach the socket, then closes it and stops. */
    private Behavior<Command> closeConnection() {
        if (!closing) {
            closing = true;
            timers.startSingleTimer(Timeout.CLOSE, Timeout.CLOSE, settings.closeTimeout());
            if (!uploads.isEmpty()) {
                // Their blobs stay registered and unreferenced; the volume's sweep deletes them.
                getContext().getLog().debug("connection {} closed with {} unfinished stores", sessionId, uploads.size());
            }
            uploads.clear();
            fetches.clear();
        }
        // Frames may arrive before the outbound is attached: AttachOutbound then sends what is queued, and closes.
        drainOutbox();
        return this;
    }

    private void ackInboundIfReady() {
        if (pendingInboundAck == null || closing || outboxBytes >= settings.maxOutboxBytes()) {
            return;
        }
        for (StoreUpload upload : uploads.values()) {
            if (upload.holdsInbound()) {
                return;
            }
        }
        pendingInboundAck.tell(InboundAck.INSTANCE);
        pendingInboundAck = null;
    }

    private void onRequest(Frame frame) {
        long id = frame.requestId();
        Opcode op = Opcode.fromCode(frame.opcode());
        if (op == null) {
            send(errorFrame(frame.opcode(), id, Status.UNKNOWN_OPCODE.exception(
                    "unknown opcode " + frame.opcode() + " (this server speaks protocol version "
                            + ProtocolLimits.PROTOCOL_VERSION + ")")));
            return;
        }
        if (inFlight.containsKey(id) || uploads.containsKey(id)) {
            // The ERROR would carry the id of the request already in flight, so the client could not tell
            // which of the two it ends: the connection cannot go on.
            send(errorFrame(op.code(), id, Status.DUPLICATE_REQUEST_ID.exception(
                    "request id " + id + " is already in flight on this connection; closing it")));
            closeConnection();
            return;
        }
        if (inFlight.size() >= ProtocolLimits.MAX_REQUESTS_IN_FLIGHT) {
            // Refused rather than left unread: a STORE in flight needs this connection's later frames to finish.
            send(errorFrame(op.code(), id, Status.TOO_MANY_REQUESTS.exception(
                    "more than " + ProtocolLimits.MAX_REQUESTS_IN_FLIGHT + " requests in flight on this connection")));
            return;
        }
        Request request;
        try {
            request = WireCodec.decode(frame.body(), op.requestType());
        } catch (StrandException e) {
            send(errorFrame(op.code(), id, e));
            return;
        }
        if (!greeted && op != Opcode.HELLO) {
            send(errorFrame(op.code(), id, Status.GREETING_REQUIRED.exception(
                    "the first request on a connection must be HELLO")));
            return;
        }
        inFlight.put(id, op.code());
        metrics.requestStarted(id);
        try {
            dispatch(op, id, request);
        } catch (StrandException e) {
            fail(id, op.code(), e);
        }
    }

    private void dispatch(Opcode op, long id, Request request) {
        switch (op) {
            case HELLO -> greet(id, (Hello) request);
            case FAREWELL -> {
                finish(id, Frame.reply(op.code(), id, WireCodec.encode(Empty.INSTANCE)));
                closeConnection();
            }
            case PING -> finish(id, Frame.reply(op.code(), id, WireCodec.encode(new Pong(((Ping) request).nonce()))));
            case VOLUME_CREATE -> {
                VolumeCreate create = (VolumeCreate) request;
                int replicas = create.replicas() <= 0 ? 1 : create.replicas();
                // (client id, request id) lets the registry recognise this create if the client sends it again
                CompletionStage<VolumeRegistry.Result> created = askRegistry(r -> new VolumeRegistry.CreateVolume(
                        create.name(), replicas, r, create.minReplicas(), clientId, id));
                answer(id, op, created.thenApply(result -> {
                    router.knownVolumes().remember(result);
                    return result;
                }).thenCompose(this::withUsage));
            }
            case VOLUME_INFO -> {
                String name = required(((VolumeInfoRequest) request).name(), "name");
                answer(id, op, lookUpVolume(name).thenCompose(this::withUsage));
            }
            case VOLUME_LIST -> answer(id, op, allVolumes(null, new java.util.ArrayList<>()).thenApply(all ->
                    new VolumeListReply(all.stream().map(v -> volumeInfo(v, null)).toList())));
            case VALIDATE -> { // replicated volumes: every replica's version of one object
                Fid fid = required(((Validate) request).fid(), "fid");
                answer(id, op, askReplica(fid.volume(), r -> new VolumeReplica.Validate(fid, r))
                        .thenApply(ConnectionActor::validateReply));
            }
            case STORE -> startStore(id, (Store) request);
            case FETCH -> startFetch(id, (Fetch) request);
            default -> {
                if (request instanceof dev.strand.protocol.message.Walk walk) {
                    dev.strand.actors.volume.VolumeReads.checkWalkSize(walk); // the Execute must fit one frame
                }
                Fid fid = routingFid(request);
                CompletionStage<VolumeReplica.Result> result = askReplica(fid.volume(),
                        r -> new VolumeReplica.Execute(request, clientId, id, r));
                answer(id, op, result.thenApply(ConnectionActor::done));
            }
        }
    }

    private void greet(long id, Hello hello) {
        if (greeted) {
            fail(id, Opcode.HELLO.code(), new BadRequestException("this connection has already greeted"));
            return;
        }
        if (hello.protocolVersion() == ProtocolLimits.PROTOCOL_VERSION) {
            Names.checkHello(hello); // malformed: BAD_REQUEST, and the connection stays open, not greeted
        }
        StrandException refusal = null;
        if (hello.protocolVersion() != ProtocolLimits.PROTOCOL_VERSION) {
            refusal = Status.PROTOCOL_VERSION_MISMATCH.exception("client speaks protocol version "
                    + hello.protocolVersion() + ", this server speaks " + ProtocolLimits.PROTOCOL_VERSION);
        } else if (hello.clusterId() != null && !identity.clusterId().equals(hello.clusterId())) {
            refusal = Status.WRONG_CLUSTER.exception("this server belongs to cluster '" + identity.clusterId()
                    + "', not '" + hello.clusterId() + "'");
        } else if (hello.authMethod() != null && !hello.authMethod().equals("none")) {
            refusal = Status.NOT_AUTHENTICATED.exception("authentication method '" + hello.authMethod()
                    + "' is not supported; use 'none'");
        }
        if (refusal != null) {
            fail(id, Opcode.HELLO.code(), refusal);
            closeConnection();
            return;
        }
        if (hello.clientId() != null && hello.clientId().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                > ProtocolLimits.MAX_CLIENT_ID_BYTES) { // recorded with every change: bounded
            fail(id, Opcode.HELLO.code(), new BadRequestException("a clientId may have at most "
                    + ProtocolLimits.MAX_CLIENT_ID_BYTES + " UTF-8 bytes"));
            return;
        }
        greeted = true;
        // RETRIES: requests are known by (client id, request id), so a client without an id gets one no other
        // client has, here and on every node and after restarts; it sends it back in HELLO when it reconnects
        boolean named = hello.clientId() != null && !hello.clientId().isEmpty();
        clientId = named ? hello.clientId() : java.util.UUID.randomUUID().toString();
        HelloReply reply = new HelloReply(ProtocolLimits.PROTOCOL_VERSION, identity.clusterId(), identity.serverId(),
                identity.serverTerm(), sessionId, ProtocolLimits.MAX_BODY_LENGTH, ProtocolLimits.MAX_REQUESTS_IN_FLIGHT,
                clientId);
        finish(id, Frame.reply(Opcode.HELLO.code(), id, WireCodec.encode(reply)));
    }

    // ---- volumes ---------------------------------------------------------------------------------

    private CompletionStage<VolumeInfo> withUsage(VolumeRegistry.Result result) {
        VolumeRegistry.VolumeRecord volume = volumes(result).get(0);
        return askReplica(volume.id(), VolumeReplica.GetStats::new).thenApply(stats -> {
            if (stats instanceof VolumeReplica.Result.Stats s) {
                return volumeInfo(volume, s);
            }
            throw rejection(stats);
        });
    }

    private static java.util.List<VolumeRegistry.VolumeRecord> volumes(VolumeRegistry.Result result) {
        if (result instanceof VolumeRegistry.Result.Volume v) {
            return java.util.List.of(v.volume());
        }
        if (result instanceof VolumeRegistry.Result.Volumes vs) {
            return vs.volumes();
        }
        VolumeRegistry.Result.Rejected r = (VolumeRegistry.Result.Rejected) result;
        throw r.status().exception(r.message());
    }

    private static VolumeInfo volumeInfo(VolumeRegistry.VolumeRecord v, VolumeReplica.Result.Stats s) {
        java.util.List<ReplicaInfo> replicas = s == null || s.group() == null ? null : s.group().stream()
                .map(r -> new ReplicaInfo(r.index(), r.entityId(), r.node(), r.available(), r.versionVector(),
                        r.pendingCop2(), r.state())).toList();
        return new VolumeInfo(v.name(), v.id(), Fid.root(v.id()), v.replicas(), v.createdMillis(),
                s == null ? -1 : s.files(), s == null ? -1 : s.directories(), s == null ? -1 : s.symlinks(),
                s == null ? -1 : s.bytes(), s == null ? null : s.versionVector(), v.minReplicasSetting(), replicas);
    }

    private static ValidateReply validateReply(VolumeReplica.Result result) {
        if (result instanceof VolumeReplica.Result.Validation v) {
            return new ValidateReply(v.replicas().stream().map(r -> new ReplicaVersionInfo(r.index(), r.node(),
                    r.available(), r.versionVector(), r.dataVersion(), r.problem())).toList(), v.agree());
        }
        throw rejection(result);
    }

    // ---- STORE -----------------------------------------------------------------------------------

    private void startStore(long id, Store store) {
        Fid fid = required(store.fid(), "fid");
        FileSizes.checkExpectedLength(store.expectedLength());
        StoreUpload upload = new StoreUpload(id, fid, store.expectedLength());
        uploads.put(id, upload);
        getContext().pipeToSelf(askReplica(fid.volume(), r -> new VolumeReplica.PrepareStore(fid, r)),
                (result, failure) -> new StorePrepared(upload, failure != null ? asStrand(failure)
                        : result instanceof VolumeReplica.Result.Rejected ? rejection(result) : null));
    }

    private boolean current(StoreUpload upload) {
        return uploads.get(upload.requestId) == upload;
    }

    private Behavior<Command> onStorePrepared(StorePrepared m) {
        StoreUpload upload = m.upload();
        if (!current(upload)) {
            return this;
        }
        if (m.error() != null) {
            failStore(upload, m.error());
            return this;
        }
        upload.blobId = UUID.randomUUID();
        // Registered before the first chunk, so a crash at any later point leaves nothing the sweep cannot find.
        getContext().pipeToSelf(chunks.registerBlob(upload.fid.volume(), upload.blobId),
                (ok, failure) -> new BlobRegistered(upload, failure));
        return this;
    }

    private Behavior<Command> onBlobRegistered(BlobRegistered m) {
        StoreUpload upload = m.upload();
        if (!current(upload)) {
            return this;
        }
        if (m.failure() != null) {
            failStore(upload, Status.IO_ERROR.exception("cannot register new contents: " + m.failure().getMessage()));
            return this;
        }
        upload.writing = true;
        pumpStore(upload);
        return this;
    }

    private void onData(Frame frame) {
        StoreUpload upload = uploads.get(frame.requestId());
        if (upload == null) {
            return; // not a STORE in flight (perhaps one already answered with an error): discarded
        }
        if (upload.ended) {
            failStore(upload, new BadRequestException("DATA after DATA_END"));
            return;
        }
        long received = upload.received + frame.body().length;
        if (upload.expectedLength >= 0 && received > upload.expectedLength) {
            // refused at once: storage holds no more than the client announced
            failStore(upload, new BadRequestException("STORE announced " + upload.expectedLength
                    + " bytes but sent more (" + received + " so far)"));
            return;
        }
        try {
            FileSizes.checkSize(received, "the data of the STORE");
        } catch (StrandException e) {
            failStore(upload, e);
            return;
        }
        upload.pending = upload.pending.concat(ByteString.fromArrayUnsafe(frame.body()));
        upload.received = received;
        pumpStore(upload);
    }

    private void onDataEnd(Frame frame) {
        StoreUpload upload = uploads.get(frame.requestId());
        if (upload == null) {
            return; // as for DATA
        }
        StoreEnd end;
        try {
            end = WireCodec.decode(frame.body(), StoreEnd.class);
        } catch (StrandException e) {
            failStore(upload, e);
            return;
        }
        if (upload.expectedLength >= 0 && upload.expectedLength != upload.received) {
            failStore(upload, new BadRequestException("STORE announced " + upload.expectedLength
                    + " bytes but sent " + upload.received));
            return;
        }
        if (end.length() != upload.received) {
            failStore(upload, new BadRequestException("STORE ended after " + upload.received
                    + " bytes but DATA_END says " + end.length()));
            return;
        }
        upload.ended = true;
        pumpStore(upload);
    }

    /** Cuts whole chunks (and, after DATA_END, the last short one) and writes them; commits when all are written. */
    private void pumpStore(StoreUpload upload) {
        if (!upload.writing || upload.committing) {
            return;
        }
        while (upload.writesInFlight < MAX_WRITES_IN_FLIGHT
                && (upload.pending.size() >= ChunkStore.CHUNK_SIZE || (upload.ended && !upload.pending.isEmpty()))) {
            int n = Math.min(ChunkStore.CHUNK_SIZE, upload.pending.size());
            ByteBuffer chunk = upload.pending.take(n).toByteBuffer();
            upload.pending = upload.pending.drop(n);
            long index = upload.nextChunk++;
            upload.writesInFlight++;
            if (index > 0 && index % ChunkStore.CHUNKS_PER_SEGMENT == 0) {
                chunks.registerBlob(upload.fid.volume(), upload.blobId); // touch: a long upload is not idle
            }
            getContext().pipeToSelf(chunks.writeChunk(upload.blobId, index, chunk),
                    (ok, failure) -> new ChunkWritten(upload, failure));
        }
        if (upload.ended && upload.pending.isEmpty() && upload.writesInFlight == 0) {
            upload.committing = true;
            long id = upload.requestId;
            CompletionStage<VolumeReplica.Result> commit = askReplica(upload.fid.volume(),
                    r -> new VolumeReplica.CommitStore(upload.fid, upload.blobId, upload.received, clientId, id, r));
            uploads.remove(id);
            answer(id, Opcode.STORE, commit.thenApply(ConnectionActor::done));
        }
        ackInboundIfReady();
    }

    private Behavior<Command> onChunkWritten(ChunkWritten m) {
        StoreUpload upload = m.upload();
        if (!current(upload)) {
            return this;
        }
        upload.writesInFlight--;
        if (m.failure() != null) {
            failStore(upload, Status.IO_ERROR.exception("cannot write file contents: " + m.failure().getMessage()));
            return this;
        }
        pumpStore(upload);
        return this;
    }

    /** Answers the STORE with an error at once; its remaining DATA frames will find no upload and be dropped. */
    private void failStore(StoreUpload upload, StrandException error) {
        uploads.remove(upload.requestId);
        upload.pending = ByteString.emptyByteString();
        if (upload.blobId != null) {
            chunks.deleteBlob(upload.fid.volume(), upload.blobId); // best effort; the sweep covers a failure
        }
        fail(upload.requestId, Opcode.STORE.code(), error);
    }

    /** A STORE in progress; touched only by this actor. */
    private static final class StoreUpload {
        final long requestId;
        final Fid fid;
        final long expectedLength;
        UUID blobId;
        ByteString pending = ByteString.emptyByteString();
        long received;
        long nextChunk;
        int writesInFlight;
        boolean writing;
        boolean ended;
        boolean committing;

        StoreUpload(long requestId, Fid fid, long expectedLength) {
            this.requestId = requestId;
            this.fid = fid;
            this.expectedLength = expectedLength;
        }

        /** Stop reading the socket while more than two chunks wait for storage (or for the store to start). */
        boolean holdsInbound() {
            return pending.size() > 2 * ChunkStore.CHUNK_SIZE;
        }
    }

    // ---- FETCH -----------------------------------------------------------------------------------

    private void startFetch(long id, Fetch fetch) {
        Fid fid = required(fetch.fid(), "fid");
        FileSizes.checkFetchRange(fetch.offset(), fetch.length());
        FetchStream stream = new FetchStream(id, fetch);
        fetches.put(id, stream);
        getContext().pipeToSelf(askReplica(fid.volume(), r -> new VolumeReplica.OpenForFetch(fid, r)),
                (result, failure) -> {
                    if (failure != null) {
                        return new FetchOpened(stream, null, asStrand(failure));
                    }
                    if (result instanceof VolumeReplica.Result.FetchTarget target) {
                        return new FetchOpened(stream, target, null);
                    }
                    return new FetchOpened(stream, null, rejection(result));
                });
    }

    private boolean current(FetchStream fetch) {
        return fetches.get(fetch.requestId) == fetch;
    }

    private Behavior<Command> onFetchOpened(FetchOpened m) {
        FetchStream fetch = m.fetch();
        if (!current(fetch)) {
            return this;
        }
        if (m.error() != null) {
            fetches.remove(fetch.requestId);
            fail(fetch.requestId, Opcode.FETCH.code(), m.error());
            return this;
        }
        Long expected = fetch.expectDataVersion;
        if (expected != null && m.target().attr().dataVersion() != expected) {
            // a resumed fetch would splice two versions of the file: the client starts again or gives up
            fetches.remove(fetch.requestId);
            fail(fetch.requestId, Opcode.FETCH.code(), Status.CHANGED.exception(fetch.fid + " changed: it is at data "
                    + "version " + m.target().attr().dataVersion() + ", the fetch expected " + expected
                    + "; fetch it again from the start"));
            return this;
        }
        fetch.open(m.target());
        pumpFetch(fetch);
        return this;
    }

    /**
     * Sends, in order, what has been read, while the socket keeps up; keeps up to {@link #MAX_READS_IN_FLIGHT}
     * chunk reads ahead of what was sent, so that storage latency overlaps with the transfer.
     */
    private void pumpFetch(FetchStream fetch) {
        if (fetch.target == null || !current(fetch)) {
            return;
        }
        while (fetch.position < fetch.end && outboxBytes < OUTBOX_HIGH_WATER) {
            long chunkIndex = ChunkStore.chunkIndex(fetch.position);
            long chunkStart = chunkIndex * ChunkStore.CHUNK_SIZE;
            long chunkEnd = chunkStart + Math.min(fetch.end - chunkStart, ChunkStore.CHUNK_SIZE); // no overflow
            if (fetch.position >= fetch.storedEnd) {
                // past the stored bytes (a truncate grew the file): zeros
                sendData(fetch, ZEROS.take((int) (chunkEnd - fetch.position)));
                continue;
            }
            ByteBuffer data = fetch.ready.remove(chunkIndex);
            if (data == null) {
                break; // not read yet
            }
            long wanted = Math.min(chunkEnd, fetch.storedEnd);
            if (chunkStart + data.remaining() < wanted) {
                fetches.remove(fetch.requestId);
                fail(fetch.requestId, Opcode.FETCH.code(), Status.IO_ERROR.exception("chunk " + chunkIndex + " of "
                        + fetch.fid + " is shorter than the file says"));
                return;
            }
            ByteString chunk = ByteString.fromByteBuffer(data);
            sendData(fetch, chunk.slice((int) (fetch.position - chunkStart), (int) (wanted - chunkStart)));
        }
        long firstUnsent = ChunkStore.chunkIndex(fetch.position);
        while (fetch.readsInFlight < MAX_READS_IN_FLIGHT
                && fetch.nextRead * ChunkStore.CHUNK_SIZE < Math.min(fetch.storedEnd, fetch.end)
                && fetch.nextRead < firstUnsent + MAX_READS_IN_FLIGHT) {
            long index = fetch.nextRead++;
            fetch.readsInFlight++;
            getContext().pipeToSelf(chunks.readChunk(fetch.target.blobId(), index),
                    (data, failure) -> new ChunkRead(fetch, index, data, failure));
        }
        if (fetch.position >= fetch.end && fetch.readsInFlight == 0) {
            fetches.remove(fetch.requestId);
            finish(fetch.requestId, Frame.reply(Opcode.FETCH.code(), fetch.requestId,
                    WireCodec.encode(new FetchReply(fetch.target.attr(), fetch.sent))));
        }
    }

    private Behavior<Command> onChunkRead(ChunkRead m) {
        FetchStream fetch = m.fetch();
        if (!current(fetch)) {
            return this;
        }
        fetch.readsInFlight--;
        StrandException error = null;
        if (m.failure() != null) {
            error = Status.IO_ERROR.exception("cannot read file contents: " + m.failure().getMessage());
        } else if (m.data() == null) {
            error = Status.STALE.exception("the contents of " + fetch.fid + " were replaced during the fetch; fetch again");
        }
        if (error != null) {
            fetches.remove(fetch.requestId);
            fail(fetch.requestId, Opcode.FETCH.code(), error);
            return this;
        }
        fetch.ready.put(m.index(), m.data());
        pumpFetch(fetch);
        return this;
    }

    private void sendData(FetchStream fetch, ByteString bytes) {
        enqueue(header(FrameType.DATA, Opcode.FETCH.code(), fetch.requestId, bytes.size()).concat(bytes));
        fetch.position += bytes.size();
        fetch.sent += bytes.size();
    }

    /** A FETCH in progress; touched only by this actor. */
    private static final class FetchStream {
        final long requestId;
        final Fid fid;
        final long offset;
        final long length;
        /** The data version the bytes must come from (a resumed fetch), or null. */
        final Long expectDataVersion;
        VolumeReplica.Result.FetchTarget target;
        /** Next byte to send, and the end (exclusive) of the range asked for. */
        long position;
        long end;
        /** Bytes before this come from the blob; from here to the file's size they read as zeros. */
        long storedEnd;
        long sent;
        long nextRead;
        int readsInFlight;
        /** Chunks read but not yet sent, by index. */
        final Map<Long, ByteBuffer> ready = new HashMap<>();

        FetchStream(long requestId, Fetch fetch) {
            this.requestId = requestId;
            this.fid = fetch.fid();
            this.offset = fetch.offset();
            this.length = fetch.length();
            this.expectDataVersion = fetch.expectDataVersion();
        }

        void open(VolumeReplica.Result.FetchTarget target) {
            this.target = target;
            long size = target.attr().size();
            this.position = Math.min(offset, size);
            this.end = FileSizes.fetchEnd(position, length, size);
            this.storedEnd = target.blobId() == null ? 0 : Math.min(target.blobLength(), size);
            this.nextRead = ChunkStore.chunkIndex(position);
        }
    }

    // ---- replies and the outbox ------------------------------------------------------------------

    private void answer(long id, Opcode op, CompletionStage<? extends Reply> reply) {
        getContext().pipeToSelf(reply, (r, failure) ->
                failure == null ? new Answered(id, op.code(), r) : new Failed(id, op.code(), asStrand(failure)));
    }

    private void finish(long id, Frame frame) {
        metrics.requestFinished(id, frame.opcode(), frame.type() == FrameType.ERROR);
        inFlight.remove(id);
        send(frame);
        ackInboundIfReady();
        if (inputEnded && inFlight.isEmpty()) {
            closeConnection(); // the last answer a half-closed client waited for
        }
    }

    private void fail(long id, int opcode, StrandException error) {
        finish(id, errorFrame(opcode, id, error));
    }

    private static Frame errorFrame(int opcode, long id, StrandException error) {
        return Frame.error(opcode, id, WireCodec.encode(error.toErrorBody()));
    }

    private void send(Frame frame) {
        enqueue(header(frame.type(), frame.opcode(), frame.requestId(), frame.body().length)
                .concat(ByteString.fromArrayUnsafe(frame.body())));
    }

    private void enqueue(ByteString bytes) {
        if (closing) {
            return; // nothing new once closing; what was queued before still goes out
        }
        outbox.add(bytes);
        outboxBytes += bytes.size();
        drainOutbox();
    }

    /** Hands the socket everything queued, up to {@link #MAX_BATCH} bytes, in one element. */
    private void drainOutbox() {
        if (outbound == null || !outboundReady) {
            return;
        }
        if (outbox.isEmpty()) {
            if (closing && !closeSent) {
                closeSent = true;
                outbound.tell(Outbound.Close.INSTANCE); // then OutboundFinished stops this actor
            }
            return;
        }
        ByteString batch = ByteString.emptyByteString();
        while (!outbox.isEmpty() && batch.size() < MAX_BATCH) {
            ByteString next = outbox.poll();
            outboxBytes -= next.size();
            batch = batch.concat(next);
        }
        outboundReady = false;
        outbound.tell(new Outbound.Bytes(batch));
        ackInboundIfReady(); // reading resumes once the client takes what waited for it
    }

    private static ByteString header(FrameType type, int opcode, long requestId, int bodyLength) {
        ByteBuffer buf = ByteBuffer.allocate(4 + ProtocolLimits.HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        buf.putInt(ProtocolLimits.HEADER_LENGTH + bodyLength);
        buf.put((byte) type.code());
        buf.put((byte) 0);
        buf.putShort((short) opcode);
        buf.putLong(requestId);
        return ByteString.fromArrayUnsafe(buf.array());
    }

    // ---- asking the actors behind ----------------------------------------------------------------

    private CompletionStage<VolumeRegistry.Result> askRegistry(
            Function<ActorRef<VolumeRegistry.Result>, VolumeRegistry.Command> message) {
        return ask(router.registry(), message, "the volume registry", ASK_TIMEOUT);
    }

    /** Every volume, in name order, asked page by page (each page fits one message between nodes). */
    private CompletionStage<java.util.List<VolumeRegistry.VolumeRecord>> allVolumes(
            String after, java.util.List<VolumeRegistry.VolumeRecord> soFar) {
        return askRegistry(r -> new VolumeRegistry.ListVolumesPage(after, r)).thenCompose(result -> {
            if (!(result instanceof VolumeRegistry.Result.VolumesPage page)) {
                return java.util.concurrent.CompletableFuture.completedFuture(volumes(result)); // throws the refusal
            }
            soFar.addAll(page.volumes()); // one page at a time: no other thread touches the list meanwhile
            return page.last() || page.volumes().isEmpty() ? java.util.concurrent.CompletableFuture.completedFuture(soFar)
                    : allVolumes(page.volumes().get(page.volumes().size() - 1).name(), soFar);
        });
    }

    /**
     * A volume's record from the registry; if the registry does not answer within
     * {@link #KNOWN_VOLUME_LOOKUP_TIMEOUT} and this node has seen the volume, the record it saw (records do
     * not change), so that clients connecting while the registry fails over still reach their volumes.
     */
    private CompletionStage<VolumeRegistry.Result> lookUpVolume(String name) {
        KnownVolumes known = router.knownVolumes();
        VolumeRegistry.VolumeRecord seen = known.get(name);
        return ask(router.registry(), (ActorRef<VolumeRegistry.Result> r) -> new VolumeRegistry.Lookup(name, r),
                "the volume registry", seen == null ? ASK_TIMEOUT : KNOWN_VOLUME_LOOKUP_TIMEOUT)
                .handle((result, failure) -> {
                    if (failure == null) {
                        known.remember(result);
                        return result;
                    }
                    if (seen != null) {
                        return new VolumeRegistry.Result.Volume(seen);
                    }
                    throw failure instanceof RuntimeException re ? re : new CompletionException(failure);
                });
    }

    private CompletionStage<VolumeReplica.Result> askReplica(
            long volumeId, Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> message) {
        return ask(router.replica(volumeId), message, "volume " + volumeId, ASK_TIMEOUT);
    }

    private <C, R> CompletionStage<R> ask(RecipientRef<C> target, Function<ActorRef<R>, C> message, String who,
                                          Duration timeout) {
        return AskPattern.<C, R>ask(target, message::apply, timeout, getContext().getSystem().scheduler())
                .exceptionally(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof AskTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
                        throw Status.TIMEOUT.exception(who + " did not answer within " + timeout.toMillis() + " ms");
                    }
                    throw cause instanceof StrandException se ? se
                            : Status.INTERNAL.exception(who + " failed: " + cause.getMessage());
                });
    }

    private static Reply done(VolumeReplica.Result result) {
        if (result instanceof VolumeReplica.Result.Done d) {
            return d.reply();
        }
        throw rejection(result);
    }

    private static StrandException rejection(VolumeReplica.Result result) {
        if (result instanceof VolumeReplica.Result.Rejected r) {
            return r.status().exception(r.message());
        }
        return Status.INTERNAL.exception("unexpected answer " + result.getClass().getSimpleName());
    }

    private static StrandException asStrand(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof StrandException se ? se : Status.INTERNAL.exception(String.valueOf(cause.getMessage()));
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new BadRequestException("missing field '" + field + "'");
        }
        return value;
    }

    /** The fid whose volume serves a namespace request. */
    private static Fid routingFid(Request request) {
        Fid fid;
        if (request instanceof GetAttr r) {
            fid = r.fid();
        } else if (request instanceof Walk r) {
            fid = r.start();
        } else if (request instanceof ReadDir r) {
            fid = r.dir();
        } else if (request instanceof ReadLink r) {
            fid = r.fid();
        } else if (request instanceof Create r) {
            fid = r.dir();
        } else if (request instanceof MkDir r) {
            fid = r.dir();
        } else if (request instanceof Symlink r) {
            fid = r.dir();
        } else if (request instanceof Link r) {
            fid = r.dir();
        } else if (request instanceof Remove r) {
            fid = r.dir();
        } else if (request instanceof RmDir r) {
            fid = r.dir();
        } else if (request instanceof Rename r) {
            fid = r.fromDir();
        } else if (request instanceof SetAttr r) {
            fid = r.fid();
        } else {
            throw new BadRequestException("no volume for " + request.getClass().getSimpleName());
        }
        return required(fid, "fid");
    }
}
