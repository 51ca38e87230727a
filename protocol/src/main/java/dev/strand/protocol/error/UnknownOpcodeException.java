package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#UNKNOWN_OPCODE}. */
public final class UnknownOpcodeException extends StrandException {
    public UnknownOpcodeException(String message) {
        super(Status.UNKNOWN_OPCODE, message);
    }
}
