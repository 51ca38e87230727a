package dev.strand.actors.connection;

import dev.strand.actors.coordinator.VolumeCoordinator;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Where a connection sends what it is asked: the volume registry, and what serves a volume. In
 * production that is the volume's {@link VolumeCoordinator}, which speaks the replicas' protocol and runs
 * COP1/COP2 across the storage group; a test may route straight to a replica.
 */
public interface VolumeRouter {

    RecipientRef<VolumeRegistry.Command> registry();

    /** What serves the volume's requests (its coordinator). */
    RecipientRef<VolumeReplica.Command> replica(long volumeId);

    /** The volume records this node has seen (one per router: a router serves one node). */
    KnownVolumes knownVolumes();

    /** Routes through Cluster Sharding (also on a single node). */
    static VolumeRouter sharded(ActorSystem<?> system) {
        ClusterSharding sharding = ClusterSharding.get(system);
        KnownVolumes known = new KnownVolumes();
        return new VolumeRouter() {
            @Override
            public KnownVolumes knownVolumes() {
                return known;
            }

            @Override
            public RecipientRef<VolumeRegistry.Command> registry() {
                return sharding.entityRefFor(VolumeRegistry.ENTITY_TYPE_KEY, VolumeRegistry.ENTITY_ID);
            }

            @Override
            public RecipientRef<VolumeReplica.Command> replica(long volumeId) {
                return sharding.entityRefFor(VolumeCoordinator.ENTITY_TYPE_KEY, Long.toString(volumeId));
            }
        };
    }
}
