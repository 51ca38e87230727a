package dev.strand.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters a node's actors record into: one instance per actor system ({@link #get}), so actors need no
 * more than one line to record an event and know nothing of how the figures are exported. Until the server
 * adds a registry to {@link #registry()} (ops adds Prometheus's), recording costs next to nothing.
 *
 * <p>Every tag takes its values from a fixed set (opcodes, outcomes, replica states), so the number of time
 * series is bounded whatever clients send. The per-replica and per-volume maps hold one entry per replica or
 * coordinator alive on this node, removed when it stops.
 */
public final class StrandMetrics implements Extension {

    /** Latency buckets for Prometheus histograms: enough to see a median and a tail without one series per ms. */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)};

    private static final Id ID = new Id();

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Counter connectionsAccepted;
    private final Map<ReplicaKey, ReplicaState> replicaStates = new ConcurrentHashMap<>();
    private final Map<String, Integer> pendingCop2 = new ConcurrentHashMap<>();
    private final Timer journalPersist;
    private final Counter cop2UpdateSets;
    private final Meter.MeterProvider<Timer> requests;
    private final Meter.MeterProvider<Counter> cop1;
    private final Meter.MeterProvider<Counter> catchUps;

    public StrandMetrics() {
        Gauge.builder("strand.connections.open", openConnections, AtomicInteger::get)
                .description("Client connections open now").register(registry);
        connectionsAccepted = Counter.builder("strand.connections.accepted")
                .description("Client connections accepted since the node started").register(registry);
        for (ReplicaState state : ReplicaState.values()) {
            Gauge.builder("strand.replicas", replicaStates, states -> count(states, state))
                    .tag("state", state.label)
                    .description("Replicas of the volumes coordinated on this node, by their coordinator's view")
                    .register(registry);
        }
        Gauge.builder("strand.cop2.pending", pendingCop2, StrandMetrics::sum)
                .description("Operations the replicas on this node hold awaiting their update set (COP2)")
                .register(registry);
        cop2UpdateSets = Counter.builder("strand.cop2.update.sets")
                .description("Update sets (COP2) the coordinators on this node queued for their replicas")
                .register(registry);
        journalPersist = Timer.builder("strand.journal.persist")
                .description("From a mutation's persist to its event being written and applied")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        requests = Timer.builder("strand.requests")
                .description("Client requests answered, by opcode and outcome (error: answered with ERROR)")
                .serviceLevelObjectives(LATENCY_BUCKETS).withRegistry(registry);
        cop1 = Counter.builder("strand.cop1.operations")
                .description("Replicated mutations (COP1) finished by the coordinators on this node")
                .withRegistry(registry);
        catchUps = Counter.builder("strand.catchups")
                .description("Catch-ups of replicas that fell behind, run by the coordinators on this node")
                .withRegistry(registry);
    }

    /** The instance of {@code system}. */
    public static StrandMetrics get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Where the meters live; a server adds the registry it exports from. */
    public CompositeMeterRegistry registry() {
        return registry;
    }

    // ---- connections and requests ------------------------------------------------------------------

    /** A client connection was accepted; its handle times its requests and must be closed when it ends. */
    public ConnectionMetrics connectionOpened() {
        openConnections.incrementAndGet();
        connectionsAccepted.increment();
        return new ConnectionMetrics(this);
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    void requestCompleted(String opcode, boolean error, long nanos) {
        requests.withTags("opcode", opcode, "outcome", error ? "error" : "ok").record(nanos, TimeUnit.NANOSECONDS);
    }

    // ---- COP1, COP2, replicas ----------------------------------------------------------------------

    /** How a replicated mutation (COP1) ended at its coordinator. */
    public enum Cop1Outcome {
        /** Enough replicas answered and at least one applied it. */
        COMMITTED,
        /** Enough replicas answered, none applied it (refused, e.g. EXISTS, or a no-op). */
        REFUSED,
        /** Applied, but on fewer replicas than the volume's min-replicas (answered UNDER_REPLICATED). */
        UNDER_REPLICATED,
        /** Refused before COP1 (too few replicas available: nothing applied), or no replica answered. */
        UNAVAILABLE;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    public void cop1(Cop1Outcome outcome) {
        cop1.withTags("outcome", outcome.label).increment();
    }

    /** A coordinator queued an update set (COP2) for the replicas that committed an operation. */
    public void cop2UpdateSet() {
        cop2UpdateSets.increment();
    }

    /** The states {@code volume info} shows; anything else counts as {@link #OTHER}. */
    enum ReplicaState {
        CURRENT("current"), BEHIND("behind"), CATCHING_UP("catching-up"), DIVERGED("diverged"), OTHER("other");

        final String label;

        ReplicaState(String label) {
            this.label = label;
        }

        static ReplicaState of(String label) {
            for (ReplicaState state : values()) {
                if (state.label.equals(label)) {
                    return state;
                }
            }
            return OTHER;
        }
    }

    private record ReplicaKey(long volumeId, int replica) {}

    /**
     * A coordinator's view of one of its replicas ("current", "behind", "catching-up", "diverged"). A move into
     * catching-up counts a catch-up started; a move out of it counts one completed (to current) or failed.
     */
    public void replicaState(long volumeId, int replica, String state) {
        ReplicaState now = ReplicaState.of(state);
        ReplicaState before = replicaStates.put(new ReplicaKey(volumeId, replica), now);
        if (now == before) {
            return;
        }
        if (now == ReplicaState.CATCHING_UP) {
            catchUp("started");
        } else if (before == ReplicaState.CATCHING_UP) {
            catchUp(now == ReplicaState.CURRENT ? "completed" : "failed");
        }
    }

    private void catchUp(String outcome) {
        catchUps.withTags("outcome", outcome).increment();
    }

    /** The coordinator of {@code volumeId} stopped here (passivated, or moved to another node). */
    public void coordinatorStopped(long volumeId) {
        replicaStates.keySet().removeIf(key -> key.volumeId() == volumeId);
    }

    /** How many operations replica {@code entityId} holds awaiting COP2 now. */
    public void pendingCop2(String entityId, int operations) {
        pendingCop2.put(entityId, operations);
    }

    /** Replica {@code entityId} stopped on this node. */
    public void replicaStopped(String entityId) {
        pendingCop2.remove(entityId);
    }

    // ---- the journal -------------------------------------------------------------------------------

    /** A mutation's events go to the journal now: hand the result to {@link #persisted} once they are written. */
    public long persistStarted() {
        return System.nanoTime();
    }

    public void persisted(long startedNanos) {
        journalPersist.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    private static double count(Map<ReplicaKey, ReplicaState> states, ReplicaState state) {
        return states.values().stream().filter(s -> s == state).count();
    }

    private static double sum(Map<String, Integer> values) {
        return values.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static final class Id extends ExtensionId<StrandMetrics> {
        @Override
        public StrandMetrics createExtension(ActorSystem<?> system) {
            return new StrandMetrics();
        }
    }
}
