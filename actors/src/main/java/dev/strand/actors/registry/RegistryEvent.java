package dev.strand.actors.registry;

import dev.strand.actors.CborSerializable;

/**
 * What the volume registry journals. Versioned like the volume events (see
 * {@code dev.strand.volume.VolumeEvent}): stable class names, optional additions, migrations for
 * anything else.
 */
public sealed interface RegistryEvent extends CborSerializable {

    /**
     * A volume was registered under its name and id. Its replicas may not be initialised yet.
     * {@code clientId} and {@code requestId}: the VOLUME_CREATE that created it, so that the same request
     * sent again (a client resending after a reconnect) is answered with the same success; null in events
     * written before retries were recognised, and for clients that did not give a client id.
     */
    record VolumeCreated(VolumeRegistry.VolumeRecord volume, String clientId, Long requestId)
            implements RegistryEvent {
        public VolumeCreated(VolumeRegistry.VolumeRecord volume) {
            this(volume, null, null);
        }

        /** The request that created the volume, or null when not known. */
        public RegistryState.CreateRequest request() {
            return clientId == null || requestId == null ? null : new RegistryState.CreateRequest(clientId, requestId);
        }
    }

    /** Every replica of the volume confirmed its initialisation; it is not re-sent after this. */
    record ReplicasInitialized(long volumeId) implements RegistryEvent {}

    /**
     * A coordinator was leased the operation ids from {@code first} (see {@code dev.strand.cop2.OperationIds}):
     * persisted before the answer, so no later lease repeats them.
     */
    record OperationIdsLeased(long first, long count) implements RegistryEvent {}
}
