package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#INVALID_ARGUMENT}. */
public final class InvalidArgumentException extends StrandException {
    public InvalidArgumentException(String message) {
        super(Status.INVALID_ARGUMENT, message);
    }
}
