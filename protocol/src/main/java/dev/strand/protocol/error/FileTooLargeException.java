package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#FILE_TOO_LARGE}. */
public final class FileTooLargeException extends StrandException {
    public FileTooLargeException(String message) {
        super(Status.FILE_TOO_LARGE, message);
    }
}
