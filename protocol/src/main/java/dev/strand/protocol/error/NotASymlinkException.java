package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NOT_A_SYMLINK}. */
public final class NotASymlinkException extends StrandException {
    public NotASymlinkException(String message) {
        super(Status.NOT_A_SYMLINK, message);
    }
}
