package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#CROSS_VOLUME}. */
public final class CrossVolumeException extends StrandException {
    public CrossVolumeException(String message) {
        super(Status.CROSS_VOLUME, message);
    }
}
