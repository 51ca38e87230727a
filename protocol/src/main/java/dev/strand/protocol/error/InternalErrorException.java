package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#INTERNAL}. */
public final class InternalErrorException extends StrandException {
    public InternalErrorException(String message) {
        super(Status.INTERNAL, message);
    }
}
