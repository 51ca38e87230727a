package dev.strand.actors.connection;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.metrics.ConnectionMetrics;
import dev.strand.metrics.StrandMetrics;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.*;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection: the greeting, request ids, many requests in flight, streamed STORE and FETCH with
 * back-pressure, and the farewell. Frames arrive from the socket through a back-pressured sink (the next frame
 * comes only after this actor acks the previous one) and leave through a back-pressured source (this actor keeps
 * an outbox and hands the socket one batch at a time). Requests are forwarded to the volume registry and to the
 * volume replicas; this actor holds no file-system state of its own.
 *
 * <p>Reading stops (the inbound ack is withheld) while a STORE's data waits on storage, while more than
 * {@link ConnectionSettings#maxOutboxBytes()} wait for the client to read them, or while
 * {@link ConnectionSettings#maxRequestsInFlight()} requests are in flight, so a fast client (or one that does not
 * read) is slowed by TCP rather than by the server's memory. One exception: when every request in flight is a
 * STORE still waiting for its data, reading goes on (only later frames can finish them), and a REQUEST read
 * then, beyond the limit, is refused with TOO_MANY_REQUESTS.
 *
 * <p>Every connection ends: one that does not greet within the HELLO timeout, or on which nothing moves for the
 * idle timeout, is closed; one whose client half-closed its side is answered everything it asked, then closed;
 * one that cannot hand its last bytes to its client within the close timeout is cut off.
 *
 * <p>The parts that are not the protocol live beside it, each used on this actor's thread only: {@link Greeting}
 * (HELLO and the client's id), {@link Outbox} (the bytes queued for the socket), {@link Uploads} (STORE),
 * {@link Fetches} (FETCH) and {@link VolumeRequests} (every other request, routed to the registry or the replicas).
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

    record StorePrepared(Uploads.StoreUpload upload, StrandException error) implements Command {}

    record BlobRegistered(Uploads.StoreUpload upload, Throwable failure) implements Command {}

    record ChunkWritten(Uploads.StoreUpload upload, Throwable failure) implements Command {}

    record FetchOpened(Fetches.FetchStream fetch, VolumeReplica.Result.FetchTarget target, StrandException error)
            implements Command {}

    record ChunkRead(Fetches.FetchStream fetch, long index, ByteBuffer data, Throwable failure) implements Command {}

    public static Behavior<Command> create(ServerIdentity identity, VolumeRouter router, ChunkStore chunks,
                                           String remoteAddress, ConnectionSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new ConnectionActor(ctx, timers, identity, router, chunks, remoteAddress, settings)));
    }

    // ---- state -----------------------------------------------------------------------------------

    private static final AtomicLong SESSIONS = new AtomicLong();

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

    private final Greeting greeting;
    private boolean closing;

    private ActorRef<InboundAck> pendingInboundAck;
    private final Outbox outbox = new Outbox();

    /** Requests in flight: id -> opcode. */
    private final Map<Long, Integer> inFlight = new HashMap<>();
    private final VolumeRequests volumes;
    private final Uploads uploads;
    private final Fetches fetches;

    private ConnectionActor(ActorContext<Command> context, TimerScheduler<Command> timers, ServerIdentity identity,
                            VolumeRouter router, ChunkStore chunks, String remote, ConnectionSettings settings) {
        super(context);
        this.remote = remote;
        this.settings = settings;
        this.timers = timers;
        this.greeting = new Greeting(identity, sessionId, settings.maxRequestsInFlight());
        this.volumes = new VolumeRequests(router, context.getSystem().scheduler(), context.getSystem().settings().config()
                .getDuration("strand.coordinator.replica-timeout").plusSeconds(1));
        this.uploads = new Uploads(this, context, chunks, volumes);
        this.fetches = new Fetches(this, context, chunks, volumes, outbox);
        timers.startSingleTimer(Timeout.HELLO, Timeout.HELLO, settings.helloTimeout());
        timers.startSingleTimer(Timeout.IDLE, Timeout.IDLE, settings.idleTimeout());
        context.getLog().debug("connection {} from {}", sessionId, remote);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(InboundStarted.class, m -> then(() -> m.ackTo().tell(InboundAck.INSTANCE)))
                .onMessage(InboundElement.class, this::onInbound)
                .onMessage(InboundCompleted.class, m -> onInputEnded())
                .onMessage(InboundFailed.class, m -> onBrokenStream(m.cause().getMessage()))
                .onMessage(AttachOutbound.class, m -> {
                    outbox.attach(m.outbound());
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
                    outbox.acked();
                    drainOutbox();
                    fetches.pumpAll();
                    return this;
                })
                .onMessage(Answered.class, m -> then(() -> finish(m.requestId(),
                        Frame.reply(m.opcode(), m.requestId(), WireCodec.encode(m.reply())))))
                .onMessage(Failed.class, m -> then(() -> fail(m.requestId(), m.opcode(), m.error())))
                .onMessage(StorePrepared.class, m -> then(() -> uploads.onPrepared(m)))
                .onMessage(BlobRegistered.class, m -> then(() -> uploads.onBlobRegistered(m)))
                .onMessage(ChunkWritten.class, m -> then(() -> uploads.onChunkWritten(m)))
                .onMessage(FetchOpened.class, m -> then(() -> fetches.onOpened(m)))
                .onMessage(ChunkRead.class, m -> then(() -> fetches.onChunkRead(m)))
                .onMessage(Timeout.class, this::onTimeout)
                .onSignal(PostStop.class, s -> {
                    metrics.closed();
                    if (outbox.attached() && !outboundFinished) {
                        outbox.abort(); // stopped by a failure: the socket must not outlive us
                    }
                    return this;
                })
                .build();
    }

    /** Runs a handler after which the connection goes on as it is. */
    private Behavior<Command> then(Runnable handler) {
        handler.run();
        return this;
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
            case DATA -> uploads.onData(frame);
            case DATA_END -> uploads.onDataEnd(frame);
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
        return closeWith(Status.BAD_FRAME.exception(reason));
    }

    /**
     * The client will send nothing more. The requests it sent are still answered (a client may half-close its
     * socket after its last request), except STOREs still waiting for data, which can never end; once nothing
     * is in flight the connection closes.
     */
    private Behavior<Command> onInputEnded() {
        inputEnded = true;
        uploads.failUnended();
        return inFlight.isEmpty() ? closeConnection() : this;
    }

    private Behavior<Command> onTimeout(Timeout timeout) {
        switch (timeout) {
            case HELLO -> {
                if (!greeting.greeted() && !closing) {
                    getContext().getLog().info("closing connection {} from {}: no HELLO within {} ms",
                            sessionId, remote, settings.helloTimeout().toMillis());
                    return closeWith(Status.GREETING_REQUIRED.exception("no successful HELLO within "
                            + settings.helloTimeout().toMillis() + " ms of connecting; closing"));
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
                    return closeWith(Status.TIMEOUT.exception("nothing was sent or read on this connection for "
                            + settings.idleTimeout().toMillis() + " ms; closing"));
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
        if (!outbox.attached()) {
            return Behaviors.stopped();
        }
        outbox.abort();
        return this;
    }

    /** Tells the client why (an ERROR not tied to a request), then closes the connection. */
    private Behavior<Command> closeWith(StrandException reason) {
        send(Frame.error(0, 0, WireCodec.encode(reason.toErrorBody())));
        return closeConnection();
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

    /**
     * Lets the next frame in, unless the connection is closing, its outbox is full, a STORE holds reading, or the
     * in-flight limit is reached by requests of which one at least can finish without more frames.
     */
    void ackInboundIfReady() {
        if (pendingInboundAck == null || closing || outbox.bytes() >= settings.maxOutboxBytes()) {
            return;
        }
        if (uploads.holdInbound()
                || (inFlight.size() >= settings.maxRequestsInFlight() && uploads.awaitingData() < inFlight.size())) {
            return; // finish() and the STORE's steps call this again
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
        if (inFlight.containsKey(id) || uploads.contains(id)) {
            // The ERROR would carry the id of the request already in flight, so the client could not tell
            // which of the two it ends: the connection cannot go on.
            send(errorFrame(op.code(), id, Status.DUPLICATE_REQUEST_ID.exception(
                    "request id " + id + " is already in flight on this connection; closing it")));
            closeConnection();
            return;
        }
        if (inFlight.size() >= settings.maxRequestsInFlight()) {
            // Read only because every request in flight is a STORE waiting for its data (see ackInboundIfReady):
            // refused rather than held, since those STOREs' frames may come after it.
            send(errorFrame(op.code(), id, Status.TOO_MANY_REQUESTS.exception("already "
                    + settings.maxRequestsInFlight() + " requests in flight on this connection, all STOREs waiting "
                    + "for their data")));
            return;
        }
        Request request;
        try {
            request = WireCodec.decode(frame.body(), op.requestType());
        } catch (StrandException e) {
            send(errorFrame(op.code(), id, e));
            return;
        }
        if (!greeting.greeted() && op != Opcode.HELLO) {
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
            case STORE -> uploads.start(id, (Store) request);
            case PUT -> answer(id, op, uploads.put(id, (Put) request));
            case FETCH -> fetches.start(id, (Fetch) request);
            default -> answer(id, op, volumes.route(op, request, greeting.clientId(), id));
        }
    }

    private void greet(long id, Hello hello) {
        Greeting.Outcome outcome = greeting.answer(hello);
        if (outcome.refusal() != null) {
            fail(id, Opcode.HELLO.code(), outcome.refusal());
            closeConnection();
        } else {
            finish(id, Frame.reply(Opcode.HELLO.code(), id, WireCodec.encode(outcome.reply())));
        }
    }

    /** The client's id, once greeted (a STORE's commit carries it). */
    String clientId() {
        return greeting.clientId();
    }

    // ---- replies and the outbox ------------------------------------------------------------------

    void answer(long id, Opcode op, CompletionStage<? extends Reply> reply) {
        getContext().pipeToSelf(reply, (r, failure) -> failure == null ? new Answered(id, op.code(), r)
                : new Failed(id, op.code(), VolumeRequests.asStrand(failure)));
    }

    void finish(long id, Frame frame) {
        metrics.requestFinished(id, frame.opcode(), frame.type() == FrameType.ERROR);
        inFlight.remove(id);
        send(frame);
        ackInboundIfReady();
        if (inputEnded && inFlight.isEmpty()) {
            closeConnection(); // the last answer a half-closed client waited for
        }
    }

    void fail(long id, int opcode, StrandException error) {
        finish(id, errorFrame(opcode, id, error));
    }

    private static Frame errorFrame(int opcode, long id, StrandException error) {
        return Frame.error(opcode, id, WireCodec.encode(error.toErrorBody()));
    }

    private void send(Frame frame) {
        enqueue(Outbox.encode(frame));
    }

    void enqueue(ByteString bytes) {
        if (closing) {
            return; // nothing new once closing; what was queued before still goes out
        }
        outbox.add(bytes);
        drainOutbox();
    }

    private void drainOutbox() {
        if (outbox.drain(closing)) {
            ackInboundIfReady(); // reading resumes once the client takes what waited for it
        }
    }
}
