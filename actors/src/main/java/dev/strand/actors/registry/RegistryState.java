package dev.strand.actors.registry;

import dev.strand.actors.CborSerializable;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry's state: volumes by name, the ids whose replicas confirmed initialisation, and the next
 * volume id. Immutable (the registry changes rarely, so copying on change is cheap).
 */
public record RegistryState(Map<String, VolumeRegistry.VolumeRecord> volumesByName, Set<Long> initialized,
                            long nextId) implements CborSerializable {

    public RegistryState {
        volumesByName = Collections.unmodifiableSortedMap(new TreeMap<>(volumesByName));
        initialized = Set.copyOf(initialized);
    }

    public static RegistryState empty() {
        return new RegistryState(Map.of(), Set.of(), 1);
    }

    public VolumeRegistry.VolumeRecord volume(String name) {
        return volumesByName.get(name);
    }

    /** All volumes in name order. */
    public List<VolumeRegistry.VolumeRecord> volumes() {
        return List.copyOf(volumesByName.values());
    }

    public boolean isInitialized(long volumeId) {
        return initialized.contains(volumeId);
    }

    public RegistryState apply(RegistryEvent event) {
        if (event instanceof RegistryEvent.VolumeCreated e) {
            Map<String, VolumeRegistry.VolumeRecord> volumes = new TreeMap<>(volumesByName);
            volumes.put(e.volume().name(), e.volume());
            return new RegistryState(volumes, initialized, Math.max(nextId, e.volume().id() + 1));
        }
        if (event instanceof RegistryEvent.ReplicasInitialized e) {
            Set<Long> ids = new HashSet<>(initialized);
            ids.add(e.volumeId());
            return new RegistryState(volumesByName, ids, nextId);
        }
        throw new IllegalStateException("no handler for event " + event.getClass().getName());
    }
}
