package dev.strand.protocol.error;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;

/** Status {@link Status#NO_SUCH_VOLUME}. */
public final class NoSuchVolumeException extends StrandException {
    public NoSuchVolumeException(String message) {
        super(Status.NO_SUCH_VOLUME, message);
    }
}
