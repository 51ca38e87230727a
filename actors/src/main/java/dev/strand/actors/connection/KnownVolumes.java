package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The volume records this node has seen, by name: a volume's record (id, storage group, settings) does not
 * change once the volume exists, so when the registry does not answer quickly (its node died and it has not
 * moved yet) a connection looks a known volume up here instead of waiting for the failover. Shared by the
 * node's connections; the registry stays the authority for anything it has not seen.
 */
public final class KnownVolumes {

    private final Map<String, VolumeRegistry.VolumeRecord> byName = new ConcurrentHashMap<>();

    public VolumeRegistry.VolumeRecord get(String name) {
        return byName.get(name);
    }

    /** Remembers what the registry answered. */
    public void remember(VolumeRegistry.Result result) {
        if (result instanceof VolumeRegistry.Result.Volume found) {
            byName.put(found.volume().name(), found.volume());
        } else if (result instanceof VolumeRegistry.Result.Volumes all) {
            all.volumes().forEach(v -> byName.put(v.name(), v));
        }
    }
}
