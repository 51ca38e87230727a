package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#EXISTS}. */
public final class ExistsException extends StrandException {
    public ExistsException(String message) {
        super(Status.EXISTS, message);
    }
}
