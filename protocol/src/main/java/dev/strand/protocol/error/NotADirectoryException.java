package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NOT_A_DIRECTORY}. */
public final class NotADirectoryException extends StrandException {
    public NotADirectoryException(String message) {
        super(Status.NOT_A_DIRECTORY, message);
    }
}
