package dev.strand.actors.connection;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.ProtocolLimits;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * The bytes a connection has queued for its client, and the hand-over to the back-pressured outbound stream: the
 * socket gets one batch at a time and asks for the next with {@link ConnectionActor.OutboundAck}. It exists so that
 * the queue, its byte count (which throttles reading and FETCH) and the frame encoding live in one place. It is
 * used only on its {@link ConnectionActor}'s thread; whether the connection is closing is the actor's to know.
 */
final class Outbox {

    /** Largest batch handed to the socket at once. */
    private static final int MAX_BATCH = 1 << 20;

    private final ArrayDeque<ByteString> queue = new ArrayDeque<>();
    private long bytes;
    private ActorRef<ConnectionActor.Outbound> outbound;
    private boolean outboundReady;
    private boolean closeSent;

    /** Bytes queued and not yet handed to the socket. */
    long bytes() {
        return bytes;
    }

    boolean attached() {
        return outbound != null;
    }

    void attach(ActorRef<ConnectionActor.Outbound> outbound) {
        this.outbound = outbound;
        this.outboundReady = true;
    }

    /** The socket took the last batch. */
    void acked() {
        outboundReady = true;
    }

    void add(ByteString chunk) {
        queue.add(chunk);
        bytes += chunk.size();
    }

    /** Resets the socket, unsent bytes or not. */
    void abort() {
        outbound.tell(ConnectionActor.Outbound.Abort.INSTANCE);
    }

    /**
     * Hands the socket everything queued, up to {@link #MAX_BATCH} bytes, in one element; once the queue is empty
     * on a closing connection, ends the stream instead. Returns whether a batch was handed over (the client took
     * what waited for it, so reading may resume).
     */
    boolean drain(boolean closing) {
        if (outbound == null || !outboundReady) {
            return false;
        }
        if (queue.isEmpty()) {
            if (closing && !closeSent) {
                closeSent = true;
                outbound.tell(ConnectionActor.Outbound.Close.INSTANCE); // then OutboundFinished stops the actor
            }
            return false;
        }
        ByteString batch = ByteString.emptyByteString();
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            ByteString next = queue.poll();
            bytes -= next.size();
            batch = batch.concat(next);
        }
        outboundReady = false;
        outbound.tell(new ConnectionActor.Outbound.Bytes(batch));
        return true;
    }

    /** A whole frame, as it goes on the wire. */
    static ByteString encode(Frame frame) {
        return header(frame.type(), frame.opcode(), frame.requestId(), frame.body().length)
                .concat(ByteString.fromArrayUnsafe(frame.body()));
    }

    /** A frame's length prefix and header; the body follows. */
    static ByteString header(FrameType type, int opcode, long requestId, int bodyLength) {
        ByteBuffer buf = ByteBuffer.allocate(4 + ProtocolLimits.HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        buf.putInt(ProtocolLimits.HEADER_LENGTH + bodyLength);
        buf.put((byte) type.code());
        buf.put((byte) 0);
        buf.putShort((short) opcode);
        buf.putLong(requestId);
        return ByteString.fromArrayUnsafe(buf.array());
    }
}
