package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NOT_FOUND}. */
public final class NotFoundException extends StrandException {
    public NotFoundException(String message) {
        super(Status.NOT_FOUND, message);
    }
}
