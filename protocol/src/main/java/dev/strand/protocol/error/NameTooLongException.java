package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NAME_TOO_LONG}. */
public final class NameTooLongException extends StrandException {
    public NameTooLongException(String message) {
        super(Status.NAME_TOO_LONG, message);
    }
}
