package dev.strand.actors.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Logs this node's view of the cluster on every membership or reachability change, one line:
 * {@code cluster members: 127.0.0.1:25520 Up, 127.0.0.1:25521 Up (unreachable: none)}.
 * {@code strand cluster status} shows each node's latest such line.
 */
public final class ClusterMembershipLog {
    public static final String PREFIX = "cluster members: ";
    private static final Logger log = LoggerFactory.getLogger(ClusterMembershipLog.class);

    private ClusterMembershipLog() {}

    public static void start(ActorSystem<?> system) {
        system.systemActorOf(behavior(), "strand-cluster-membership-log", Props.empty());
    }

    private static Behavior<ClusterEvent.ClusterDomainEvent> behavior() {
        return Behaviors.setup(context -> {
            Cluster.get(context.getSystem()).subscriptions()
                    .tell(Subscribe.create(context.getSelf(), ClusterEvent.ClusterDomainEvent.class));
            // Kept from the events themselves: Cluster.state() may not have caught up when an event arrives.
            Map<String, String> statusByNode = new TreeMap<>();
            Set<String> unreachable = new TreeSet<>();
            return Behaviors.receiveMessage(event -> {
                if (event instanceof ClusterEvent.MemberRemoved removed) {
                    statusByNode.remove(node(removed.member()));
                    unreachable.remove(node(removed.member()));
                } else if (event instanceof ClusterEvent.MemberEvent changed) {
                    statusByNode.put(node(changed.member()), changed.member().status().toString());
                } else if (event instanceof ClusterEvent.UnreachableMember lost) {
                    unreachable.add(node(lost.member()));
                } else if (event instanceof ClusterEvent.ReachableMember back) {
                    unreachable.remove(node(back.member()));
                } else {
                    return Behaviors.same();
                }
                log.info(PREFIX + "{} (unreachable: {})",
                        statusByNode.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", ")),
                        unreachable.isEmpty() ? "none" : String.join(", ", unreachable));
                return Behaviors.same();
            });
        });
    }

    private static String node(Member member) {
        return member.address().host().getOrElse(() -> "?") + ":" + member.address().port().getOrElse(() -> 0);
    }
}
