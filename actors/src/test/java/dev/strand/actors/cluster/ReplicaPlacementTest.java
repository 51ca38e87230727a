package dev.strand.actors.cluster;

import dev.strand.actors.cluster.ReplicaPlacement.ReplicaShard;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaPlacementTest {
    private static final String A = "127.0.0.1:25520";
    private static final String B = "127.0.0.1:25521";
    private static final String C = "127.0.0.1:25522";

    @Test
    void replicasOfOneVolumeGoToDifferentNodesWhenThereAreEnough() {
        Map<String, List<String>> allocations = regions(A, B, C);
        for (long volume = 1; volume <= 20; volume++) {
            for (int r = 0; r < 3; r++) {
                place(allocations, volume + "." + r);
            }
        }
        for (long volume = 1; volume <= 20; volume++) {
            assertThat(nodesOf(allocations, volume)).hasSize(3);
        }
        // and the load is spread evenly
        allocations.values().forEach(shards -> assertThat(shards).hasSize(20));
    }

    @Test
    void preferenceDoesNotDependOnTheOrderRegionsAreListedIn() {
        ReplicaShard replica = new ReplicaShard(7, 1);
        assertThat(ReplicaPlacement.preferredRegion(replica, List.of(C, A, B)))
                .isEqualTo(ReplicaPlacement.preferredRegion(replica, List.of(A, B, C)));
        // ports compare as numbers, not text
        assertThat(ReplicaPlacement.preferredRegion(new ReplicaShard(0, 0), List.of("h:10000", "h:9999")))
                .isEqualTo("h:9999");
    }

    @Test
    void whenThePreferredNodeAlreadyHostsAReplicaTheLeastLoadedOtherNodeTakesIt() {
        Map<String, List<String>> allocations = regions(A, B, C);
        ReplicaShard replica = new ReplicaShard(5, 0);
        String preferred = ReplicaPlacement.preferredRegion(replica, allocations.keySet());
        allocations.get(preferred).add("5.1"); // e.g. left there by a failover
        List<String> others = new ArrayList<>(allocations.keySet());
        others.remove(preferred);
        allocations.get(others.get(0)).addAll(List.of("90.0", "91.0"));

        assertThat(ReplicaPlacement.allocate("5.0", allocations)).isEqualTo(others.get(1));
    }

    @Test
    void withFewerNodesThanReplicasEveryReplicaIsStillPlacedAndSpreadAsFarAsPossible() {
        Map<String, List<String>> allocations = regions(A, B);
        for (int r = 0; r < 3; r++) {
            place(allocations, "4." + r);
        }
        assertThat(nodesOf(allocations, 4)).containsExactlyInAnyOrder(A, B);
        assertThat(allocations.get(A).size() + allocations.get(B).size()).isEqualTo(3);
    }

    @Test
    void aReplicaOfADeadNodeGoesToASurvivorWithoutOneOfItsVolume() {
        Map<String, List<String>> allocations = regions(A, B, C);
        for (int r = 0; r < 2; r++) {
            place(allocations, "3." + r);
        }
        String lost = hostOf(allocations, "3.0");
        String keeper = hostOf(allocations, "3.1");
        allocations.remove(lost);

        String survivor = ReplicaPlacement.allocate("3.0", allocations);
        assertThat(survivor).isNotEqualTo(keeper).isNotEqualTo(lost);
    }

    @Test
    void whenANodeReturnsRebalancingMovesOneReplicaAtATimeBackToItsPreferredNode() {
        Map<String, List<String>> full = regions(A, B, C);
        for (long volume = 1; volume <= 6; volume++) {
            place(full, volume + ".0");
        }
        // C died: its replicas moved to A and B; now C is back, empty.
        Map<String, List<String>> afterFailover = regions(A, B);
        for (long volume = 1; volume <= 6; volume++) {
            place(afterFailover, volume + ".0");
        }
        afterFailover.put(C, new ArrayList<>());

        Set<String> moved = new HashSet<>();
        for (int round = 0; round < 20; round++) {
            Set<String> moves = ReplicaPlacement.rebalance(afterFailover, Set.of());
            assertThat(moves).hasSizeLessThanOrEqualTo(1);
            if (moves.isEmpty()) {
                break;
            }
            String shard = moves.iterator().next();
            afterFailover.values().forEach(shards -> shards.remove(shard));
            place(afterFailover, shard);
            moved.add(shard);
        }
        afterFailover.values().forEach(shards -> shards.sort(null));
        assertThat(afterFailover).isEqualTo(full);
        assertThat(moved).containsAll(full.get(C));
    }

    @Test
    void nothingIsRebalancedWhileAHandOffIsInProgressOrWhenEveryReplicaIsWhereItBelongs() {
        Map<String, List<String>> allocations = regions(A, B, C);
        for (long volume = 1; volume <= 6; volume++) {
            place(allocations, volume + ".0");
        }
        assertThat(ReplicaPlacement.rebalance(allocations, Set.of())).isEmpty();
        allocations.get(A).add("99.0");
        assertThat(ReplicaPlacement.rebalance(allocations, Set.of("1.0"))).isEmpty();
    }

    @Test
    void shardsThatAreNotReplicasGoToTheLeastLoadedNode() {
        Map<String, List<String>> allocations = regions(A, B, C);
        allocations.get(A).add("1.0");
        allocations.get(C).add("2.0");
        assertThat(ReplicaPlacement.allocate("registry", allocations)).isEqualTo(B);
        assertThat(ReplicaShard.parse("registry")).isEmpty();
        assertThat(ReplicaShard.parse("12.3")).contains(new ReplicaShard(12, 3));
    }

    @Test
    void aReplicaThatWouldShareANodeWaitsForTheRegionOfANodeThatIsUpButNotRegistered() {
        Map<String, List<String>> allocations = regions(A, B); // C joined, its region not registered yet
        place(allocations, "7.0");
        place(allocations, "7.1");

        assertThat(ReplicaPlacement.shouldWaitFor("7.2", allocations, Set.of(C))).isTrue();
    }

    @Test
    void aReplicaThatTheRegisteredRegionsKeepApartDoesNotWait() {
        Map<String, List<String>> allocations = regions(A, B);
        place(allocations, "7.0");

        assertThat(ReplicaPlacement.shouldWaitFor("7.1", allocations, Set.of(C))).isFalse();
    }

    @Test
    void nothingWaitsWhenNoRegionIsAwaitedOrForShardsThatAreNotReplicas() {
        Map<String, List<String>> allocations = regions(A, B);
        place(allocations, "7.0");
        place(allocations, "7.1");

        assertThat(ReplicaPlacement.shouldWaitFor("7.2", allocations, Set.of())).isFalse();
        assertThat(ReplicaPlacement.shouldWaitFor("7.2", allocations, Set.of(A))).isFalse(); // registered already
        assertThat(ReplicaPlacement.shouldWaitFor("registry", allocations, Set.of(C))).isFalse();
    }

    @Test
    void withMoreReplicasThanNodesUpTheExtraReplicaDoesNotWait() {
        Map<String, List<String>> allocations = regions(A, B, C);
        for (int r = 0; r < 3; r++) {
            place(allocations, "7." + r);
        }

        assertThat(ReplicaPlacement.shouldWaitFor("7.3", allocations, Set.of())).isFalse();
    }

    private static Map<String, List<String>> regions(String... names) {
        Map<String, List<String>> allocations = new LinkedHashMap<>();
        for (String name : names) {
            allocations.put(name, new ArrayList<>());
        }
        return allocations;
    }

    private static void place(Map<String, List<String>> allocations, String shard) {
        allocations.get(ReplicaPlacement.allocate(shard, allocations)).add(shard);
    }

    private static Set<String> nodesOf(Map<String, List<String>> allocations, long volume) {
        Set<String> nodes = new HashSet<>();
        allocations.forEach((node, shards) -> shards.stream()
                .filter(s -> s.startsWith(volume + ".")).forEach(s -> nodes.add(node)));
        return nodes;
    }

    private static String hostOf(Map<String, List<String>> allocations, String shard) {
        Map<String, String> byShard = new HashMap<>();
        allocations.forEach((node, shards) -> shards.forEach(s -> byShard.put(s, node)));
        return byShard.get(shard);
    }
}
