package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#INVALID_MOVE}. */
public final class InvalidMoveException extends StrandException {
    public InvalidMoveException(String message) {
        super(Status.INVALID_MOVE, message);
    }
}
