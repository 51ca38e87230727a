package dev.strand.it.support;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The partition harness itself, without a cluster: members a and b, each "guarding" a port (listened on here),
 * and a third port that stands for Cassandra. A cut stops exactly the links between the sides, on loopback, and
 * nothing is left on the machine afterwards.
 */
class NetworkPartitionIT {

    @BeforeAll
    static void supported() {
        Optional<String> why = NetworkPartition.unsupportedReason();
        assumeTrue(why.isEmpty(), () -> why.orElse(""));
    }

    @Test
    void aCutStopsTheLinksBetweenTheSidesOnlyAndHealingAndClosingUndoIt() throws IOException {
        try (ServerSocket portOfA = listen(); ServerSocket portOfB = listen(); ServerSocket portOfC = listen();
             ServerSocket cassandra = listen()) {
            int a = portOfA.getLocalPort();
            int b = portOfB.getLocalPort();
            int c = portOfC.getLocalPort();
            String table;
            try (NetworkPartition partition = NetworkPartition.open()) {
                partition.addMember("a", a);
                partition.addMember("b", b);
                partition.addMember("c", c);
                assertThat(partition.reachableFrom("a", b)).as("a -> b before the cut").isTrue();

                partition.cut(List.of("a", "c"), List.of("b"));
                assertThat(partition.reachableFrom("a", b)).as("a -> b, cut").isFalse();
                assertThat(partition.reachableFrom("b", a)).as("b -> a, cut").isFalse();
                assertThat(partition.reachableFrom("b", c)).as("b -> c, cut").isFalse();
                assertThat(partition.reachableFrom("a", c)).as("a -> c, same side").isTrue();
                assertThat(partition.reachableFrom("b", cassandra.getLocalPort())).as("b -> Cassandra").isTrue();
                assertThat(partition.reachableFrom("a", cassandra.getLocalPort())).as("a -> Cassandra").isTrue();
                assertThat(partition.rules()).contains("tcp dport " + b + " drop");
                table = NetworkPartition.leftovers().stream().filter(l -> l.startsWith("nft table")).findFirst()
                        .orElseThrow();

                partition.heal();
                assertThat(partition.reachableFrom("a", b)).as("a -> b, healed").isTrue();
                assertThat(partition.reachableFrom("b", a)).as("b -> a, healed").isTrue();

                partition.cut(List.of("a"), List.of("b"));
                assertThat(partition.reachableFrom("a", b)).as("a -> b, cut again").isFalse();
            }
            assertThat(NetworkPartition.leftovers()).as("after close, with a cut in place").doesNotContain(table)
                    .isEmpty();
        }
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }
}
