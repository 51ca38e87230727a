package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#CHANGED}. */
public final class ChangedException extends StrandException {
    public ChangedException(String message) {
        super(Status.CHANGED, message);
    }
}
