package dev.strand.actors.cluster;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The shard coordinator's side of {@link ReplicaPlacement}: maps each shard region to its node's
 * {@code host:port} and applies the rule. Logs every placement ("placed shard 7.0 on 127.0.0.1:25521"), which is
 * how operators (and the failover test) find the node that hosts a replica.
 *
 * <p>A node's shard region registers with the coordinator a moment (up to Pekko's
 * {@code cluster.sharding.retry-interval}, 2 s) after the node is up, so a volume created right after a node
 * joined would find fewer regions than nodes and put two of its replicas on one node until rebalancing spread
 * them. So a replica that the registered regions cannot keep apart waits for the regions of members that are
 * up but not registered ({@link ReplicaPlacement#shouldWaitFor}), for at most {@code strand.placement.region-wait}
 * (5 s) after such a member was first seen: the allocation is answered with no region, which the coordinator
 * drops, and the requesting region asks again on its next retry. A member that is up and never registers (a
 * node that died before it did) is given up on after that bound, and placement goes on as before.
 */
public final class ReplicaAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
        implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

    private static final Logger log = LoggerFactory.getLogger(ReplicaAllocationStrategy.class);
    public static final String PLACED = "placed shard ";
    public static final String REGION_WAIT_SETTING = "strand.placement.region-wait";

    private volatile Address selfAddress;
    /** {@code host:port} of every member that is up, as the coordinator's node sees it. */
    private volatile Supplier<Set<String>> upNodes = Set::of;
    private volatile Duration regionWait = Duration.ofSeconds(5);
    /** Up members without a registered region, and when (System.nanoTime) each was first seen so. */
    private final Map<String, Long> unregisteredSince = new ConcurrentHashMap<>();

    @Override
    public void start(ActorSystem system) {
        Cluster cluster = Cluster.get(system);
        selfAddress = cluster.selfAddress();
        if (system.settings().config().hasPath(REGION_WAIT_SETTING)) {
            regionWait = system.settings().config().getDuration(REGION_WAIT_SETTING);
        }
        upNodes = () -> {
            Set<String> up = new HashSet<>();
            for (Member member : cluster.state().getMembers()) {
                if (member.status() == MemberStatus.up()) {
                    up.add(key(member.address()));
                }
            }
            return up;
        };
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        Map<String, ActorRef> regions = new HashMap<>();
        Map<String, List<String>> allocations = byNode(currentShardAllocations, regions);
        Set<String> awaited = awaitedNodes(allocations.keySet(), upNodes.get(), System.nanoTime());
        if (ReplicaPlacement.shouldWaitFor(shardId, allocations, awaited)) {
            log.info("shard {} waits for the shard regions of {} to register, to be placed apart from the other "
                    + "replicas of its volume", shardId, awaited);
            // no region: the coordinator drops the allocation and the requesting region asks again on its retry
            return Future.successful(null);
        }
        String node = ReplicaPlacement.allocate(shardId, allocations);
        log.info(PLACED + "{} on {}", shardId, node);
        return Future.successful(regions.get(node));
    }

    /**
     * The members that are up without a registered region and were first seen so less than the region wait
     * ago; forgets members that registered or left.
     */
    Set<String> awaitedNodes(Set<String> registered, Set<String> up, long nowNanos) {
        unregisteredSince.keySet().removeIf(node -> registered.contains(node) || !up.contains(node));
        Set<String> awaited = new HashSet<>();
        for (String node : up) {
            if (registered.contains(node)) {
                continue;
            }
            long since = unregisteredSince.computeIfAbsent(node, n -> nowNanos);
            if (nowNanos - since < regionWait.toNanos()) {
                awaited.add(node);
            }
        }
        return awaited;
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
        return key(address);
    }

    private static String key(Address address) {
        return address.host().isDefined()
                ? address.host().get() + ":" + address.port().get()
                : address.toString();
    }
}
