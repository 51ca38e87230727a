package dev.strand.actors.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

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
        system.systemActorOf(behavior(), "strand-cluster-membership-log",
                org.apache.pekko.actor.typed.Props.empty());
    }

    private static Behavior<ClusterEvent.ClusterDomainEvent> behavior() {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.ClusterDomainEvent.class));
            return Behaviors.receiveMessage(event -> {
                if (event instanceof ClusterEvent.MemberEvent || event instanceof ClusterEvent.ReachabilityEvent) {
                    ClusterEvent.CurrentClusterState state = cluster.state();
                    String members = StreamSupport.stream(state.getMembers().spliterator(), false)
                            .map(m -> node(m) + " " + m.status())
                            .collect(Collectors.joining(", "));
                    String unreachable = state.getUnreachable().isEmpty() ? "none"
                            : state.getUnreachable().stream().map(ClusterMembershipLog::node)
                                    .collect(Collectors.joining(", "));
                    log.info(PREFIX + "{} (unreachable: {})", members, unreachable);
                }
                return Behaviors.same();
            });
        });
    }

    private static String node(Member member) {
        return member.address().host().getOrElse(() -> "?") + ":" + member.address().port().getOrElse(() -> 0);
    }
}
