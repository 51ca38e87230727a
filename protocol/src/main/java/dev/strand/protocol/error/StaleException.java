package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#STALE}. */
public final class StaleException extends StrandException {
    public StaleException(String message) {
        super(Status.STALE, message);
    }
}
