package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#UNAVAILABLE}. */
public final class UnavailableException extends StrandException {
    public UnavailableException(String message) {
        super(Status.UNAVAILABLE, message);
    }
}
