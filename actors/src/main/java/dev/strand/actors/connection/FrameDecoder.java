package dev.strand.actors.connection;

import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import org.apache.pekko.util.ByteString;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Cuts a connection's byte stream into frames. A framing error yields one {@link ConnectionActor.Inbound.Malformed}
 * and from then on every byte is ignored: the stream itself never fails, so the connection actor can still send
 * its BAD_FRAME error before it closes the socket (a failed stream would reset the connection at once).
 * A length prefix is checked before anything is buffered for it, so an oversize frame costs no memory.
 *
 * <p>A frame must be whole within the frame timeout of its first byte: a client that declares a large frame
 * and sends it slowly or never gets BAD_FRAME. The stream feeds an empty element now and then while the client
 * sends nothing, so that a stalled frame is noticed without new bytes. The clock of a frame left incomplete by a
 * read that also yielded whole frames starts at the next read: the stream reads again only once the connection has
 * taken those frames, which may be long after (it stops reading while it cannot take more).
 */
final class FrameDecoder {
    private final long frameTimeoutNanos;
    private final LongSupplier nanoClock;
    private ByteString buffer = ByteString.emptyByteString();
    /** When the first byte of the frame now in {@link #buffer} arrived. */
    private long partialSince;
    private boolean broken;
    /** The last feed handed frames on: the next comes only once the connection took them, however long it paused. */
    private boolean emitted;

    FrameDecoder(Duration frameTimeout, LongSupplier nanoClock) {
        this.frameTimeoutNanos = frameTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Without a frame timeout. */
    FrameDecoder() {
        this(Duration.ofNanos(Long.MAX_VALUE), System::nanoTime);
    }

    List<ConnectionActor.Inbound> feed(ByteString bytes) {
        if (broken) {
            return List.of();
        }
        if ((buffer.isEmpty() && !bytes.isEmpty()) || emitted) {
            // A frame's clock runs only while the stream asks for its bytes: the time the connection spent not
            // reading (outbox full, in-flight limit, a STORE waiting on storage) is not the client's.
            partialSince = nanoClock.getAsLong();
        }
        buffer = buffer.concat(bytes);
        List<ConnectionActor.Inbound> out = new ArrayList<>(2);
        while (buffer.size() >= 4) {
            long length = buffer.iterator().getInt(java.nio.ByteOrder.BIG_ENDIAN) & 0xffffffffL;
            if (length < ProtocolLimits.HEADER_LENGTH || length > ProtocolLimits.MAX_FRAME_LENGTH) {
                out.add(new ConnectionActor.Inbound.Malformed("frame length " + length + " outside ["
                        + ProtocolLimits.HEADER_LENGTH + ", " + ProtocolLimits.MAX_FRAME_LENGTH + "]"));
                return brokenWith(out);
            }
            if (buffer.size() < 4 + length) {
                break;
            }
            byte[] frame = buffer.slice(4, (int) (4 + length)).toArray();
            buffer = buffer.drop((int) (4 + length)).compact();
            partialSince = nanoClock.getAsLong(); // the next frame's clock starts when this one is done
            try {
                out.add(new ConnectionActor.Inbound.Decoded(FrameCodec.decodeWithoutLength(frame, 0, frame.length)));
            } catch (StrandException e) {
                out.add(new ConnectionActor.Inbound.Malformed(e.getMessage()));
                return brokenWith(out);
            }
        }
        if (!buffer.isEmpty() && nanoClock.getAsLong() - partialSince > frameTimeoutNanos) {
            out.add(new ConnectionActor.Inbound.Malformed("a frame was still incomplete (" + buffer.size()
                    + " bytes received) " + Duration.ofNanos(frameTimeoutNanos).toMillis() + " ms after its first byte"));
            return brokenWith(out);
        }
        emitted = !out.isEmpty();
        return out;
    }

    private List<ConnectionActor.Inbound> brokenWith(List<ConnectionActor.Inbound> out) {
        broken = true;
        buffer = ByteString.emptyByteString();
        return out;
    }
}
