package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#VOLUME_EXISTS}. */
public final class VolumeExistsException extends StrandException {
    public VolumeExistsException(String message) {
        super(Status.VOLUME_EXISTS, message);
    }
}
