package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NOT_EMPTY}. */
public final class NotEmptyException extends StrandException {
    public NotEmptyException(String message) {
        super(Status.NOT_EMPTY, message);
    }
}
