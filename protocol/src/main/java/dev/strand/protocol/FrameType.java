package dev.strand.protocol;

/** The kind of a frame; the second byte of every frame header. Numbers are never reused. */
public enum FrameType {
    /** Client to server: a request; the body is the CBOR-encoded request message. */
    REQUEST(1),
    /** Server to client: the final, successful answer to a request. Ends the request. */
    REPLY(2),
    /** Server to client: the final, failed answer to a request; the body is an {@code ErrorBody}. Ends the request. */
    ERROR(3),
    /** Either direction: raw bulk bytes of a STORE (client to server) or FETCH (server to client). */
    DATA(4),
    /** Client to server: the end of a STORE's data; the body is a CBOR {@code StoreEnd}. */
    DATA_END(5),
    /** Server to client, unsolicited (request id 0): a callback break. Reserved for the sessions issue. */
    CALLBACK(6);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FrameType fromCode(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
