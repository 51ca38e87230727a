package dev.strand.actors.registry;

import dev.strand.actors.CborSerializable;

/**
 * What the volume registry journals. Versioned like the volume events (see
 * {@code dev.strand.actors.volume.VolumeEvent}): stable class names, optional additions, migrations for
 * anything else.
 */
public sealed interface RegistryEvent extends CborSerializable {

    /** A volume was registered under its name and id. Its replicas may not be initialised yet. */
    record VolumeCreated(VolumeRegistry.VolumeRecord volume) implements RegistryEvent {}

    /** Every replica of the volume confirmed its initialisation; it is not re-sent after this. */
    record ReplicasInitialized(long volumeId) implements RegistryEvent {}
}
