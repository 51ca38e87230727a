package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#BAD_REQUEST}. */
public final class BadRequestException extends StrandException {
    public BadRequestException(String message) {
        super(Status.BAD_REQUEST, message);
    }
}
