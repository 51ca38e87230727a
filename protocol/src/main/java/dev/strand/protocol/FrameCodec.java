package dev.strand.protocol;

import dev.strand.protocol.error.BadFrameException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Encodes and decodes frames. Decoding checks the limits; a violation is a {@link BadFrameException}. */
public final class FrameCodec {
    private FrameCodec() {}

    /** The whole frame, length prefix included, ready to write to a socket. */
    public static byte[] encode(Frame frame) {
        int length = ProtocolLimits.HEADER_LENGTH + frame.body().length;
        if (length > ProtocolLimits.MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("frame body of " + frame.body().length + " bytes exceeds the "
                    + ProtocolLimits.MAX_BODY_LENGTH + "-byte limit");
        }
        ByteBuffer buf = ByteBuffer.allocate(4 + length);
        buf.putInt(length);
        buf.put((byte) frame.type().code());
        buf.put((byte) frame.flags());
        buf.putShort((short) frame.opcode());
        buf.putLong(frame.requestId());
        buf.put(frame.body());
        return buf.array();
    }

    /**
     * Decodes a frame from the bytes after the length prefix ({@code length} of them).
     * @throws BadFrameException if the header is malformed or the type is unknown
     */
    public static Frame decodeWithoutLength(byte[] bytes, int offset, int length) {
        if (length < ProtocolLimits.HEADER_LENGTH) {
            throw new BadFrameException("frame of " + length + " bytes is shorter than the "
                    + ProtocolLimits.HEADER_LENGTH + "-byte header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
        int typeCode = buf.get() & 0xff;
        FrameType type = FrameType.fromCode(typeCode);
        if (type == null) {
            throw new BadFrameException("unknown frame type " + typeCode);
        }
        int flags = buf.get() & 0xff;
        int opcode = buf.getShort() & 0xffff;
        long requestId = buf.getLong();
        byte[] body = new byte[length - ProtocolLimits.HEADER_LENGTH];
        buf.get(body);
        return new Frame(type, flags, opcode, requestId, body);
    }

    /** Checks a length prefix before any buffer is allocated for it. */
    public static void checkLength(long length) {
        if (length < ProtocolLimits.HEADER_LENGTH || length > ProtocolLimits.MAX_FRAME_LENGTH) {
            throw new BadFrameException("frame length " + length + " outside [" + ProtocolLimits.HEADER_LENGTH
                    + ", " + ProtocolLimits.MAX_FRAME_LENGTH + "]");
        }
    }

    /**
     * Reads one frame from a blocking stream.
     * @return the frame, or null on a clean end of stream before the first byte
     * @throws BadFrameException on a malformed frame
     * @throws EOFException if the stream ends inside a frame
     */
    public static Frame read(InputStream in) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        byte[] len = in.readNBytes(3);
        if (len.length < 3) {
            throw new EOFException("connection closed inside a frame length");
        }
        long length = ((long) b0 << 24) | ((len[0] & 0xffL) << 16) | ((len[1] & 0xffL) << 8) | (len[2] & 0xffL);
        checkLength(length);
        byte[] rest = in.readNBytes((int) length);
        if (rest.length < length) {
            throw new EOFException("connection closed inside a frame");
        }
        return decodeWithoutLength(rest, 0, rest.length);
    }
}
