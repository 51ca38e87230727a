package dev.strand.actors.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where volume replicas live: the pure placement rule behind {@link ReplicaAllocationStrategy}, on region keys
 * ({@code host:port} of the node) rather than actor references, so that it can be tested on its own.
 *
 * <p>Every replica is its own shard, named by its entity id {@code "<volumeId>.<replicaIndex>"}. Replica r of
 * volume v prefers region {@code sorted[(hash(v) + r) mod n]}, so that the replicas of one volume land on
 * different nodes whenever there are at least R of them. When the preferred region already hosts a replica of
 * v (fewer nodes than replicas, or a node came and went) the least-loaded region without a replica of v takes
 * it; if every region has one, the preferred region does. Rebalancing moves at most one replica per round,
 * back to its preferred region, and only where that keeps the volume's replicas apart. A replica that would
 * share a node only because another node's region has not registered yet waits for it
 * ({@link #shouldWaitFor}).
 */
public final class ReplicaPlacement {

    /** Orders regions by host, then numerically by port: the order every node computes the same way. */
    static final Comparator<String> REGION_ORDER = Comparator
            .comparing((String region) -> host(region))
            .thenComparingInt(ReplicaPlacement::port)
            .thenComparing(Comparator.naturalOrder());

    private ReplicaPlacement() {}

    /** A shard id {@code "<volumeId>.<replicaIndex>"} split in two; empty for any other shard id. */
    public record ReplicaShard(long volumeId, int replicaIndex) {
        public static Optional<ReplicaShard> parse(String shardId) {
            int dot = shardId.lastIndexOf('.');
            if (dot <= 0 || dot == shardId.length() - 1) {
                return Optional.empty();
            }
            try {
                long volumeId = Long.parseLong(shardId.substring(0, dot));
                int replicaIndex = Integer.parseInt(shardId.substring(dot + 1));
                return replicaIndex < 0 ? Optional.empty() : Optional.of(new ReplicaShard(volumeId, replicaIndex));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * The region that should host a new (or handed-off) shard.
     *
     * @param allocations every live region and the shards it hosts now (the shard itself is not among them)
     */
    public static String allocate(String shardId, Map<String, List<String>> allocations) {
        if (allocations.isEmpty()) {
            throw new IllegalArgumentException("no region to allocate shard " + shardId + " to");
        }
        Optional<ReplicaShard> replica = ReplicaShard.parse(shardId);
        if (replica.isEmpty()) {
            return leastLoaded(allocations, allocations.keySet().stream().toList());
        }
        long volumeId = replica.get().volumeId();
        String preferred = preferredRegion(replica.get(), allocations.keySet());
        if (!hostsReplicaOf(allocations.get(preferred), volumeId, shardId)) {
            return preferred;
        }
        List<String> apart = allocations.keySet().stream()
                .filter(region -> !hostsReplicaOf(allocations.get(region), volumeId, shardId))
                .toList();
        return apart.isEmpty() ? preferred : leastLoaded(allocations, apart);
    }

    /**
     * Whether the allocation of {@code shardId} should wait for the regions of {@code awaited} nodes: cluster
     * members that are up but whose shard region has not registered with the coordinator yet (right after a
     * node joined). Only a replica waits, and only when the registered regions cannot keep it apart from
     * the other replicas of its volume: an awaited node hosts nothing yet, so it could.
     *
     * @param allocations the registered regions and their shards, as for {@link #allocate}
     * @param awaited     nodes that are up without a registered region (and not given up on)
     */
    public static boolean shouldWaitFor(String shardId, Map<String, List<String>> allocations, Set<String> awaited) {
        Optional<ReplicaShard> replica = ReplicaShard.parse(shardId);
        if (replica.isEmpty() || awaited.stream().allMatch(allocations::containsKey)) {
            return false;
        }
        if (allocations.isEmpty()) {
            return true;
        }
        String target = allocate(shardId, allocations);
        return hostsReplicaOf(allocations.get(target), replica.get().volumeId(), shardId);
    }

    /**
     * The shards to hand off this round: at most one replica that is not on its preferred region while that
     * region has no other replica of the same volume. Nothing while an earlier hand-off is still in progress.
     */
    public static Set<String> rebalance(Map<String, List<String>> allocations, Set<String> inProgress) {
        if (!inProgress.isEmpty()) {
            return Set.of();
        }
        for (String region : sorted(allocations.keySet())) {
            for (String shardId : allocations.get(region)) {
                Optional<ReplicaShard> replica = ReplicaShard.parse(shardId);
                if (replica.isEmpty()) {
                    continue;
                }
                String preferred = preferredRegion(replica.get(), allocations.keySet());
                if (!preferred.equals(region)
                        && !hostsReplicaOf(allocations.get(preferred), replica.get().volumeId(), shardId)) {
                    return Set.of(shardId);
                }
            }
        }
        return Set.of();
    }

    /** {@code sorted(regions)[(hash(volumeId) + replicaIndex) mod n]}. */
    public static String preferredRegion(ReplicaShard replica, Iterable<String> regions) {
        List<String> sorted = sorted(regions);
        int index = Math.floorMod(Long.hashCode(replica.volumeId()) + replica.replicaIndex(), sorted.size());
        return sorted.get(index);
    }

    private static boolean hostsReplicaOf(List<String> shards, long volumeId, String exceptShard) {
        for (String shard : shards) {
            if (!shard.equals(exceptShard)
                    && ReplicaShard.parse(shard).map(r -> r.volumeId() == volumeId).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    private static String leastLoaded(Map<String, List<String>> allocations, List<String> candidates) {
        return sorted(candidates).stream()
                .min(Comparator.comparingInt(region -> allocations.get(region).size()))
                .orElseThrow();
    }

    private static List<String> sorted(Iterable<String> regions) {
        List<String> list = new ArrayList<>();
        regions.forEach(list::add);
        list.sort(REGION_ORDER);
        return list;
    }

    private static String host(String region) {
        int colon = region.lastIndexOf(':');
        return colon < 0 ? region : region.substring(0, colon);
    }

    private static int port(String region) {
        int colon = region.lastIndexOf(':');
        try {
            return colon < 0 ? 0 : Integer.parseInt(region.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
