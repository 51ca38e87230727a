package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#BAD_VOLUME_NAME}. */
public final class BadVolumeNameException extends StrandException {
    public BadVolumeNameException(String message) {
        super(Status.BAD_VOLUME_NAME, message);
    }
}
