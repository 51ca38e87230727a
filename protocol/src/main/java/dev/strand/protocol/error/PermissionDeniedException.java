package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#PERMISSION_DENIED}. */
public final class PermissionDeniedException extends StrandException {
    public PermissionDeniedException(String message) {
        super(Status.PERMISSION_DENIED, message);
    }
}
