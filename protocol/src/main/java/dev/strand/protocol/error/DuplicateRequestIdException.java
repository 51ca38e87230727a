package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#DUPLICATE_REQUEST_ID}. */
public final class DuplicateRequestIdException extends StrandException {
    public DuplicateRequestIdException(String message) {
        super(Status.DUPLICATE_REQUEST_ID, message);
    }
}
