package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#TOO_MANY_REQUESTS}. */
public final class TooManyRequestsException extends StrandException {
    public TooManyRequestsException(String message) {
        super(Status.TOO_MANY_REQUESTS, message);
    }
}
