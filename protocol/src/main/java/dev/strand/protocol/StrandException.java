package dev.strand.protocol;

/**
 * A failure with a protocol {@link Status}. There is one subclass per status (package
 * {@code dev.strand.protocol.error}) so callers can catch exactly what they handle.
 */
public abstract class StrandException extends RuntimeException {
    private final Status status;

    protected StrandException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /** The body of the ERROR frame that reports this failure. */
    public dev.strand.protocol.message.ErrorBody toErrorBody() {
        return new dev.strand.protocol.message.ErrorBody(status.code(), status.name(), getMessage());
    }
}
