package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#SHUTTING_DOWN}. */
public final class ShuttingDownException extends StrandException {
    public ShuttingDownException(String message) {
        super(Status.SHUTTING_DOWN, message);
    }
}
