package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NOT_AUTHENTICATED}. */
public final class NotAuthenticatedException extends StrandException {
    public NotAuthenticatedException(String message) {
        super(Status.NOT_AUTHENTICATED, message);
    }
}
