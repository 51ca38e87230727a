package dev.strand.actors.cluster;

import com.typesafe.config.Config;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RemoteActorRefProvider;
import scala.Option;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Downs a member at once when its process is proven dead, rather than after the failure detector's pause and the
 * split-brain resolver's stable-after (about 8-10 s together): every {@code interval} it opens (and closes) a TCP
 * connection to each other member's cluster port, and {@link DeathEvidence} says when the refusals prove the process
 * gone. A paused, overloaded or cut-off member is never downed here: its port does not refuse. The Down is the same
 * one an operator's {@code strand cluster down} would send, so what follows (shards starting on survivors) is
 * Cluster Sharding's as for any downing; {@code whenDead} then runs with the dead incarnation (the fencing lease of a
 * dead process can be released at once: it can write nothing more).
 *
 * <p>Settings: {@code strand.cluster.death-probe} ({@code enabled}, {@code interval}, {@code connect-timeout},
 * {@code refusals}). Off where a firewall rejects (rather than drops) packets between nodes: a REJECT with a TCP
 * reset is indistinguishable from a dead process.
 */
public final class DeathProbe {
    private static final Logger log = LoggerFactory.getLogger(DeathProbe.class);

    private DeathProbe() {}

    public record Settings(boolean enabled, Duration interval, Duration connectTimeout, int refusals) {
        public static Settings fromConfig(Config config) {
            Config c = config.getConfig("strand.cluster.death-probe");
            return new Settings(c.getBoolean("enabled"), c.getDuration("interval"), c.getDuration("connect-timeout"),
                    c.getInt("refusals"));
        }
    }

    /** Starts the probe on this node if enabled; {@code whenDead} runs (in the probe's actor) after each Down. */
    public static void start(ActorSystem<?> system, Consumer<UniqueAddress> whenDead) {
        Settings settings = Settings.fromConfig(system.settings().config());
        if (settings.enabled()) {
            system.systemActorOf(behavior(settings, whenDead), "strand-death-probe", Props.empty());
        }
    }

    private interface Message {}

    private record Tick() implements Message {}

    private record Probed(UniqueAddress member, DeathEvidence.Outcome outcome) implements Message {}

    private record MembershipChanged(ClusterEvent.MemberEvent event) implements Message {}

    static Behavior<Message> behavior(Settings settings, Consumer<UniqueAddress> whenDead) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions().tell(Subscribe.create(
                    context.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new),
                    ClusterEvent.MemberEvent.class));
            Executor blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
            UniqueAddress self = cluster.selfMember().uniqueAddress();
            DeathEvidence evidence = new DeathEvidence(settings.refusals());
            Map<UniqueAddress, Address> probed = new HashMap<>();
            Set<UniqueAddress> inFlight = new HashSet<>();
            return Behaviors.withTimers(timers -> {
                timers.startTimerWithFixedDelay(new Tick(), settings.interval());
                return Behaviors.receive(Message.class)
                        .onMessage(MembershipChanged.class, changed -> {
                            Member member = changed.event().member();
                            if (isProbed(member.status()) && !member.uniqueAddress().equals(self)) {
                                probed.put(member.uniqueAddress(), member.address());
                            } else {
                                probed.remove(member.uniqueAddress());
                                evidence.forget(key(member.uniqueAddress()));
                            }
                            return Behaviors.same();
                        })
                        .onMessage(Tick.class, tick -> {
                            probed.forEach((member, address) -> {
                                if (inFlight.add(member)) {
                                    CompletableFuture.supplyAsync(
                                                    () -> connect(address, settings.connectTimeout()), blocking)
                                            .thenAccept(outcome -> context.getSelf().tell(new Probed(member, outcome)));
                                }
                            });
                            return Behaviors.same();
                        })
                        .onMessage(Probed.class, result -> {
                            inFlight.remove(result.member());
                            Address address = probed.get(result.member());
                            if (address != null && evidence.record(key(result.member()), result.outcome())) {
                                log.warn("Node {} is dead: its cluster port refused {} connections in a row after "
                                        + "accepting before. Downing it now.", address.hostPort(), settings.refusals());
                                cluster.manager().tell(new Down(address));
                                quarantine(context.getSystem(), result.member());
                                probed.remove(result.member());
                                whenDead.accept(result.member());
                            }
                            return Behaviors.same();
                        })
                        .build();
            });
        });
    }

    /**
     * Pekko removes a downed member only once it is unreachable or terminated. The failure detector takes about 2 s
     * to call it unreachable; a quarantined incarnation is marked terminated at once (Pekko's cluster daemon listens
     * for quarantines), so its shards can move at the next leader action. A dead process's incarnation never
     * speaks again, so quarantining it loses nothing.
     */
    private static void quarantine(ActorSystem<?> system, UniqueAddress member) {
        if (Adapter.toClassic(system) instanceof ExtendedActorSystem extended
                && extended.provider() instanceof RemoteActorRefProvider remote) {
            remote.quarantine(member.address(), Option.apply(member.longUid()), "its process is dead (death probe)");
        }
    }

    /** Members that hold (or will hold) shards; Down, Exiting and Removed ones are past the point. */
    private static boolean isProbed(MemberStatus status) {
        return status == MemberStatus.up() || status == MemberStatus.weaklyUp() || status == MemberStatus.joining()
                || status == MemberStatus.leaving();
    }

    private static String key(UniqueAddress member) {
        return member.address().hostPort() + "#" + member.longUid();
    }

    static DeathEvidence.Outcome connect(Address address, Duration timeout) {
        String host = address.host().getOrElse(() -> "127.0.0.1");
        int port = (Integer) address.port().getOrElse(() -> 0);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return DeathEvidence.Outcome.ACCEPTED;
        } catch (ConnectException e) {
            // "Connection refused" is a reset in answer to the SYN; anything else (an OS timeout) proves nothing
            String message = String.valueOf(e.getMessage());
            return message.contains("refused") ? DeathEvidence.Outcome.REFUSED : DeathEvidence.Outcome.NO_ANSWER;
        } catch (IOException e) {
            return DeathEvidence.Outcome.NO_ANSWER;
        }
    }
}
