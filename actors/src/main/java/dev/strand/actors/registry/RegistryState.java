package dev.strand.actors.registry;

import dev.strand.actors.CborSerializable;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry's state: volumes by name, the ids whose replicas confirmed initialisation, the next volume
 * id, for each volume the request that created it (by name; absent when not known: volumes created
 * before retries were recognised, or by clients without a client id), and the first operation id not
 * leased to a coordinator yet (0 in snapshots written before ids were leased: none was). Immutable (the
 * registry changes rarely, so copying on change is cheap).
 */
public record RegistryState(Map<String, VolumeRegistry.VolumeRecord> volumesByName, Set<Long> initialized,
                            long nextId, Map<String, CreateRequest> createdBy, long nextOperationId)
        implements CborSerializable {

    /** A VOLUME_CREATE as the client identified it: a retry comes with the same pair. */
    public record CreateRequest(String clientId, long requestId) implements CborSerializable {}

    public RegistryState {
        volumesByName = Collections.unmodifiableSortedMap(new TreeMap<>(volumesByName));
        initialized = Set.copyOf(initialized);
        // absent in snapshots written before retries were recognised
        createdBy = createdBy == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(createdBy));
    }

    public RegistryState(Map<String, VolumeRegistry.VolumeRecord> volumesByName, Set<Long> initialized, long nextId) {
        this(volumesByName, initialized, nextId, Map.of(), 0);
    }

    public RegistryState(Map<String, VolumeRegistry.VolumeRecord> volumesByName, Set<Long> initialized, long nextId,
                         Map<String, CreateRequest> createdBy) {
        this(volumesByName, initialized, nextId, createdBy, 0);
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

    /** Whether {@code request} is the one that created volume {@code name}: a create sent again. */
    public boolean wasCreatedBy(String name, CreateRequest request) {
        return request != null && request.equals(createdBy.get(name));
    }

    public RegistryState apply(RegistryEvent event) {
        if (event instanceof RegistryEvent.VolumeCreated e) {
            Map<String, VolumeRegistry.VolumeRecord> volumes = new TreeMap<>(volumesByName);
            volumes.put(e.volume().name(), e.volume());
            Map<String, CreateRequest> creators = new TreeMap<>(createdBy);
            if (e.request() != null) {
                creators.put(e.volume().name(), e.request());
            } else {
                creators.remove(e.volume().name());
            }
            return new RegistryState(volumes, initialized, Math.max(nextId, e.volume().id() + 1), creators,
                    nextOperationId);
        }
        if (event instanceof RegistryEvent.ReplicasInitialized e) {
            Set<Long> ids = new HashSet<>(initialized);
            ids.add(e.volumeId());
            return new RegistryState(volumesByName, ids, nextId, createdBy, nextOperationId);
        }
        if (event instanceof RegistryEvent.OperationIdsLeased e) {
            return new RegistryState(volumesByName, initialized, nextId, createdBy,
                    Math.max(nextOperationId, e.first() + e.count()));
        }
        throw new IllegalStateException("no handler for event " + event.getClass().getName());
    }
}
