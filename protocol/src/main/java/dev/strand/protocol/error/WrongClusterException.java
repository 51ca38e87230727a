package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#WRONG_CLUSTER}. */
public final class WrongClusterException extends StrandException {
    public WrongClusterException(String message) {
        super(Status.WRONG_CLUSTER, message);
    }
}
