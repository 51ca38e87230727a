package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#TIMEOUT}. */
public final class TimeoutException extends StrandException {
    public TimeoutException(String message) {
        super(Status.TIMEOUT, message);
    }
}
