package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#BAD_FRAME}. */
public final class BadFrameException extends StrandException {
    public BadFrameException(String message) {
        super(Status.BAD_FRAME, message);
    }
}
