package dev.strand.client.testing;

import dev.strand.client.ClientSettings;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Message;
import dev.strand.protocol.message.Request;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server whose answers the test writes by hand. It answers the greeting itself (or refuses it, if told to)
 * and queues every other frame for the test to inspect with {@link #next()}.
 */
public final class ScriptedServer implements AutoCloseable {
    public static final HelloReply HELLO_REPLY =
            new HelloReply(ProtocolLimits.PROTOCOL_VERSION, "strand", "fake-1", 7, 42, ProtocolLimits.MAX_BODY_LENGTH, 256);

    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final FakeServer server;
    private volatile StrandException greetingRefusal;
    private volatile FakeServer.Session session;
    private volatile HelloReply helloReply = HELLO_REPLY;
    private final java.util.concurrent.atomic.AtomicInteger greetings = new java.util.concurrent.atomic.AtomicInteger();

    public ScriptedServer() throws IOException {
        server = new FakeServer(this::onFrame);
    }

    /** Greetings from now on are answered with this server term (as a restarted server would). */
    public void answerGreetingsWithTerm(long serverTerm) {
        HelloReply r = HELLO_REPLY;
        helloReply = new HelloReply(r.protocolVersion(), r.clusterId(), r.serverId(), serverTerm, r.sessionId(),
                r.maxBodyLength(), r.maxRequestsInFlight());
    }

    /** How many greetings arrived (answered or refused). */
    public int greetings() {
        return greetings.get();
    }

    /** Frames the client sent that nobody took with {@link #next()} yet are dropped. */
    public void forgetReceived() {
        received.clear();
    }

    /** Greetings from now on are answered with this error instead of a HelloReply (null: answered again). */
    public void refuseGreetingWith(StrandException error) {
        this.greetingRefusal = error;
    }

    public ClientSettings settings() {
        return server.settings();
    }

    private void onFrame(Frame frame, FakeServer.Session from) throws IOException {
        session = from;
        if (frame.type() == FrameType.REQUEST && frame.opcode() == Opcode.HELLO.code()) {
            greetings.incrementAndGet();
            StrandException refusal = greetingRefusal;
            if (refusal != null) {
                from.send(Frame.error(frame.opcode(), frame.requestId(), WireCodec.encode(refusal.toErrorBody())));
            } else {
                from.send(Frame.reply(frame.opcode(), frame.requestId(), WireCodec.encode(helloReply)));
            }
            return;
        }
        received.add(frame);
    }

    /** The next frame the client sent (after the greeting); fails the test if none comes within 10 s. */
    public Frame next() {
        try {
            Frame frame = received.poll(10, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("the client sent no frame within 10 s");
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame the client sent, or null if none comes within {@code wait}. */
    public Frame poll(java.time.Duration wait) {
        try {
            return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The body of a request frame, decoded as its opcode's request type. */
    public static Request request(Frame frame) {
        return WireCodec.decode(frame.body(), Opcode.fromCode(frame.opcode()).requestType());
    }

    public void reply(Frame request, Message body) {
        send(Frame.reply(request.opcode(), request.requestId(), WireCodec.encode(body)));
    }

    public void error(Frame request, StrandException error) {
        send(Frame.error(request.opcode(), request.requestId(), WireCodec.encode(error.toErrorBody())));
    }

    public void data(Frame request, byte[] bytes) {
        send(Frame.data(request.opcode(), request.requestId(), bytes));
    }

    public void send(Frame frame) {
        try {
            session.send(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the client's connection abruptly. */
    public void dropConnection() {
        server.dropConnections();
    }

    @Override
    public void close() {
        server.close();
    }
}
