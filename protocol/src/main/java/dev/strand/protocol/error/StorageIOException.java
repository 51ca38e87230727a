package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#IO_ERROR}. */
public final class StorageIOException extends StrandException {
    public StorageIOException(String message) {
        super(Status.IO_ERROR, message);
    }
}
