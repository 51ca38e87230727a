package dev.strand.client;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/**
 * A request that changes something was sent, and no server said what became of it: it may or may not have
 * been applied. The client gives up only after resending it with its same (client id, request id) for the
 * reconnect timeout, which would have told it (a server answers a request it applied as it answered it then).
 * Status {@link Status#TIMEOUT}, whose meaning this is.
 */
public final class OutcomeUnknownException extends StrandException {
    public OutcomeUnknownException(String message) {
        super(Status.TIMEOUT, message);
    }
}
