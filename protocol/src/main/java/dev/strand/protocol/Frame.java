package dev.strand.protocol;

import java.util.Objects;

/**
 * One frame of the Strand wire protocol (see docs/protocol.md):
 * <pre>
 *   u32 length      bytes that follow this field (header rest + body), at most {@link ProtocolLimits#MAX_FRAME_LENGTH}
 *   u8  type        {@link FrameType}
 *   u8  flags       0 (reserved; receivers ignore unknown bits)
 *   u16 opcode      {@link Opcode} of the request this frame belongs to
 *   u64 request id  chosen by the client, unique among its requests in flight on this connection
 *   ... body        CBOR message, or raw bytes for DATA frames
 * </pre>
 * All integers are big-endian.
 */
public record Frame(FrameType type, int flags, int opcode, long requestId, byte[] body) {

    public Frame {
        Objects.requireNonNull(type, "type");
        body = body == null ? new byte[0] : body;
    }

    public static Frame request(Opcode op, long requestId, byte[] body) {
        return new Frame(FrameType.REQUEST, 0, op.code(), requestId, body);
    }

    public static Frame reply(int opcode, long requestId, byte[] body) {
        return new Frame(FrameType.REPLY, 0, opcode, requestId, body);
    }

    public static Frame error(int opcode, long requestId, byte[] body) {
        return new Frame(FrameType.ERROR, 0, opcode, requestId, body);
    }

    public static Frame data(int opcode, long requestId, byte[] bytes) {
        return new Frame(FrameType.DATA, 0, opcode, requestId, bytes);
    }

    public static Frame dataEnd(int opcode, long requestId, byte[] body) {
        return new Frame(FrameType.DATA_END, 0, opcode, requestId, body);
    }

    @Override
    public String toString() {
        return "Frame[" + type + " op=" + opcode + " id=" + requestId + " body=" + body.length + "B]";
    }
}
