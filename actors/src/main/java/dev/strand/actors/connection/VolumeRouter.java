package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Where a connection sends what it is asked: the volume registry, and the replica that serves a volume.
 * One replica per volume until replicated volumes land; then this becomes the volume's coordinator.
 */
public interface VolumeRouter {

    RecipientRef<VolumeRegistry.Command> registry();

    RecipientRef<VolumeReplica.Command> replica(long volumeId);

    /** Routes through Cluster Sharding (also on a single node). */
    static VolumeRouter sharded(ActorSystem<?> system) {
        ClusterSharding sharding = ClusterSharding.get(system);
        return new VolumeRouter() {
            @Override
            public RecipientRef<VolumeRegistry.Command> registry() {
                return sharding.entityRefFor(VolumeRegistry.ENTITY_TYPE_KEY, VolumeRegistry.ENTITY_ID);
            }

            @Override
            public RecipientRef<VolumeReplica.Command> replica(long volumeId) {
                return sharding.entityRefFor(VolumeReplica.ENTITY_TYPE_KEY, VolumeReplica.entityId(volumeId, 0));
            }
        };
    }
}
