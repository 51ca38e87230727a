package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#REQUEST_ID_REUSED}. */
public final class RequestIdReusedException extends StrandException {
    public RequestIdReusedException(String message) {
        super(Status.REQUEST_ID_REUSED, message);
    }
}
