package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#TOO_MANY_LINKS}. */
public final class TooManyLinksException extends StrandException {
    public TooManyLinksException(String message) {
        super(Status.TOO_MANY_LINKS, message);
    }
}
