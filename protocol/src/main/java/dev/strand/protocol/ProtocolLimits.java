package dev.strand.protocol;

/** Numbers that both ends of a connection rely on. Changing one is a protocol version change. */
public final class ProtocolLimits {
    private ProtocolLimits() {}

    /** The protocol version this code speaks. A server refuses a greeting with another major version. */
    public static final int PROTOCOL_VERSION = 1;

    /** Bytes of a frame header after the length prefix: type, flags, opcode, request id. */
    public static final int HEADER_LENGTH = 1 + 1 + 2 + 8;

    /** Largest body a frame may carry: 1 MiB. A DATA frame carries at most this many file bytes. */
    public static final int MAX_BODY_LENGTH = 1 << 20;

    /** Largest value of the length prefix. A larger one is a framing error: the connection closes. */
    public static final int MAX_FRAME_LENGTH = HEADER_LENGTH + MAX_BODY_LENGTH;

    /** Longest file or directory name, in UTF-8 bytes (as POSIX NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    /** Longest symbolic-link target, in UTF-8 bytes (as POSIX PATH_MAX). */
    public static final int MAX_SYMLINK_BYTES = 4095;

    /**
     * Largest file size, 2^44 bytes (16 TiB): as ext4's largest file, 2^26 chunks of the chunk store. Kept far
     * below 2^63 so that an offset plus a length, or a size plus a frame, never overflows a signed 64-bit
     * integer, and below 2^53 so that every size is exact in a client language whose numbers are doubles.
     * SET_ATTR and STORE beyond it are refused with FILE_TOO_LARGE.
     */
    public static final long MAX_FILE_SIZE = 1L << 44;

    /**
     * Most bytes a PUT carries: 256 KiB, one chunk of the server's chunk store, a quarter of a frame (so its CBOR
     * body, with the names around it, always fits). Larger contents go by STORE.
     */
    public static final int MAX_PUT_BYTES = 256 * 1024;

    /** Deepest nesting of arrays, maps and tags in a CBOR body, the body's own map counting as 1. */
    public static final int MAX_NESTING_DEPTH = 16;

    /**
     * Longest text of a HELLO field (clusterId, clientName, clientId, authMethod), in UTF-8 bytes: the client
     * id is recorded with every change the client makes.
     */
    public static final int MAX_HELLO_TEXT_BYTES = 255;

    /** Longest message of an ERROR, in characters; longer text (an echoed name, say) is cut. */
    public static final int MAX_ERROR_MESSAGE_CHARS = 1024;

    /** Most entries one READDIR reply returns; clients page with the last name they saw. */
    public static final int MAX_READDIR_ENTRIES = 1000;

    /**
     * Longest HELLO {@code clientId}, in UTF-8 bytes: it travels with every request between nodes. The HELLO text
     * bound, checked with the other HELLO texts ({@code Names.checkHello}).
     */
    public static final int MAX_CLIENT_ID_BYTES = MAX_HELLO_TEXT_BYTES;

    /** Most requests a client may have in flight on one connection (a server may announce less); see docs/protocol.md. */
    public static final int MAX_REQUESTS_IN_FLIGHT = 256;
}
