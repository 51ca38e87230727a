package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#PROTOCOL_VERSION_MISMATCH}. */
public final class ProtocolVersionMismatchException extends StrandException {
    public ProtocolVersionMismatchException(String message) {
        super(Status.PROTOCOL_VERSION_MISMATCH, message);
    }
}
