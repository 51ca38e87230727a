package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/**
 * Status {@link Status#UNDER_REPLICATED}: the change <em>was applied</em> (on fewer replicas than the
 * volume's min-replicas asks). Do not treat it as a failure to undo by hand, nor send it again as a new
 * request: it is visible to every reader now, and the replicas that missed it catch up when they are back.
 */
public final class UnderReplicatedException extends StrandException {
    public UnderReplicatedException(String message) {
        super(Status.UNDER_REPLICATED, message);
    }
}
