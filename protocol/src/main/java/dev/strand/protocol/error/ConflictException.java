package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#CONFLICT}: the object or name is in conflict between replicas until it is repaired. */
public final class ConflictException extends StrandException {
    public ConflictException(String message) {
        super(Status.CONFLICT, message);
    }
}
