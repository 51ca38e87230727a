package dev.strand.actors.cluster;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shard coordinator's side of {@link ReplicaPlacement}: maps each shard region to its node's
 * {@code host:port} and applies the rule. Logs every placement ("placed shard 7.0 on 127.0.0.1:25521"), which is
 * how operators (and the failover test) find the node that hosts a replica.
 */
public final class ReplicaAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
        implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

    private static final Logger log = LoggerFactory.getLogger(ReplicaAllocationStrategy.class);
    public static final String PLACED = "placed shard ";

    private volatile Address selfAddress;

    @Override
    public void start(ActorSystem system) {
        selfAddress = Cluster.get(system).selfAddress();
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        Map<String, ActorRef> regions = new HashMap<>();
        Map<String, List<String>> allocations = byNode(currentShardAllocations, regions);
        String node = ReplicaPlacement.allocate(shardId, allocations);
        log.info(PLACED + "{} on {}", shardId, node);
        return Future.successful(regions.get(node));
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
                                         Set<String> rebalanceInProgress) {
        Set<String> moves = ReplicaPlacement.rebalance(byNode(currentShardAllocations, new HashMap<>()),
                rebalanceInProgress);
        if (!moves.isEmpty()) {
            log.info("moving shard {} back to its preferred node", moves);
        }
        return Future.successful(moves);
    }

    private Map<String, List<String>> byNode(Map<ActorRef, IndexedSeq<String>> current, Map<String, ActorRef> refs) {
        Map<String, List<String>> allocations = new HashMap<>();
        current.forEach((region, shards) -> {
            String node = nodeOf(region);
            refs.put(node, region);
            allocations.put(node, CollectionConverters.asJava(shards));
        });
        return allocations;
    }

    /** {@code host:port} of the region's node; the coordinator's own region has a local (address-less) path. */
    private String nodeOf(ActorRef region) {
        Address address = region.path().address();
        if (!address.hasGlobalScope() && selfAddress != null) {
            address = selfAddress;
        }
        return address.host().isDefined()
                ? address.host().get() + ":" + address.port().get()
                : address.toString();
    }
}
