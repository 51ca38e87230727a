package dev.strand.actors.connection;

import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import org.apache.pekko.util.ByteString;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a connection's byte stream into frames. A framing error yields one {@link ConnectionActor.Inbound.Malformed}
 * and from then on every byte is ignored: the stream itself never fails, so the connection actor can still send
 * its BAD_FRAME error before it closes the socket (a failed stream would reset the connection at once).
 * A length prefix is checked before anything is buffered for it, so an oversize frame costs no memory.
 */
final class FrameDecoder {
    private ByteString buffer = ByteString.emptyByteString();
    private boolean broken;

    List<ConnectionActor.Inbound> feed(ByteString bytes) {
        if (broken) {
            return List.of();
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
            try {
                out.add(new ConnectionActor.Inbound.Decoded(FrameCodec.decodeWithoutLength(frame, 0, frame.length)));
            } catch (StrandException e) {
                out.add(new ConnectionActor.Inbound.Malformed(e.getMessage()));
                return brokenWith(out);
            }
        }
        return out;
    }

    private List<ConnectionActor.Inbound> brokenWith(List<ConnectionActor.Inbound> out) {
        broken = true;
        buffer = ByteString.emptyByteString();
        return out;
    }
}
