package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#GREETING_REQUIRED}. */
public final class GreetingRequiredException extends StrandException {
    public GreetingRequiredException(String message) {
        super(Status.GREETING_REQUIRED, message);
    }
}
