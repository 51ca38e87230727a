package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#IS_A_DIRECTORY}. */
public final class IsADirectoryException extends StrandException {
    public IsADirectoryException(String message) {
        super(Status.IS_A_DIRECTORY, message);
    }
}
