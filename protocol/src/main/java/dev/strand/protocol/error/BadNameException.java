package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#BAD_NAME}. */
public final class BadNameException extends StrandException {
    public BadNameException(String message) {
        super(Status.BAD_NAME, message);
    }
}
