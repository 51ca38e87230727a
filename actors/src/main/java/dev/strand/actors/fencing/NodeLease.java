package dev.strand.actors.fencing;

import dev.strand.persistence.NodeLeases;
import dev.strand.persistence.NodeLeases.Owner;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * This node's lease ({@link NodeLeases}): taken at start, renewed every {@code renew-interval}, trusted until (the
 * monotonic time the last successful renewal was sent) + lease-duration - safety-margin. A paused process's
 * monotonic clock runs on, so when it wakes it no longer trusts a lease whose row may be gone. A renewal that finds
 * the row gone or another generation's takes a new generation (only while the node is an Up member): every claim of
 * the old one stops being trusted ({@link #trusts}) and its replicas claim again. Thread-safe.
 */
public final class NodeLease {

    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);
    private static final int RELEASE_ATTEMPTS = 3;

    /** The generation held (null: none) and until when (monotonic nanoseconds) it is trusted. */
    private record State(UUID generation, long trustedUntilNanos) {
        static final State NONE = new State(null, 0);
    }

    private final NodeLeases store;
    private final String nodeId;
    private final FencingSettings settings;
    private final LongSupplier nanoTicker;
    private final BooleanSupplier mayAcquire;
    private final AtomicReference<State> state = new AtomicReference<>(State.NONE);
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile boolean released;
    private volatile Cancellable renewals;

    /**
     * {@code nanoTicker}: a monotonic clock ({@code System::nanoTime}); {@code mayAcquire}: whether a lost lease may
     * be taken again (the node is an Up member).
     */
    public NodeLease(NodeLeases store, String nodeId, FencingSettings settings, LongSupplier nanoTicker,
                     BooleanSupplier mayAcquire) {
        this.store = Objects.requireNonNull(store, "store");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
        this.mayAcquire = Objects.requireNonNull(mayAcquire, "mayAcquire");
    }

    /**
     * The lease of this cluster member ({@code host:port#uid}), acquired before this returns (a replica cannot
     * claim without it) and renewed on the system's scheduler; released when the system shuts down (also when
     * the cluster downed this node). A lost lease is taken again only while this member is Up.
     */
    public static NodeLease startFor(ActorSystem<?> system, NodeLeases store, FencingSettings settings) {
        Cluster cluster = Cluster.get(system);
        var self = cluster.selfMember().uniqueAddress();
        String nodeId = nodeId(self);
        NodeLease lease = new NodeLease(store, nodeId, settings, System::nanoTime,
                () -> cluster.selfMember().status() == MemberStatus.up());
        try {
            boolean acquired = lease.acquire().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (!acquired) {
                throw new IllegalStateException("the lease row of " + nodeId + " is held by another generation");
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot take this node's lease (" + nodeId + "): " + e, e);
        }
        // a downed member stops at once (the survivors restart its replicas); a leaving one once its shards moved.
        // Before it joined, a node sees itself Removed too: that is no reason to stop.
        AtomicBoolean joined = new AtomicBoolean();
        lease.renewals = system.scheduler().scheduleAtFixedRate(settings.renewInterval(), settings.renewInterval(),
                () -> {
                    MemberStatus status = cluster.selfMember().status();
                    if (status != MemberStatus.removed()) {
                        joined.set(true);
                    }
                    if (status == MemberStatus.down() || (status == MemberStatus.removed() && joined.get())) {
                        lease.release();
                    } else {
                        lease.renewUnlessRenewing();
                    }
                }, system.executionContext());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterExitingDone(), "release-node-lease",
                () -> lease.release().thenApply(done -> Done.getInstance()));
        return lease;
    }

    /** A member's node id in the lease table, {@code host:port#uid} (what {@link NodeLeases#releaseDead} takes). */
    public static String nodeId(org.apache.pekko.cluster.UniqueAddress member) {
        return member.address().getHost().orElseThrow() + ":" + member.address().getPort().orElseThrow() + "#"
                + member.longUid();
    }

    public String nodeId() {
        return nodeId;
    }

    /** This node's generation, if its lease is trusted now; else null (a claim must wait). */
    public Owner current() {
        State s = state.get();
        return trusted(s) ? new Owner(nodeId, s.generation()) : null;
    }

    /** Whether a claim made under {@code generation} may still write: the lease is that generation's and trusted. */
    public boolean trusts(UUID generation) {
        State s = state.get();
        return generation.equals(s.generation()) && trusted(s);
    }

    private boolean trusted(State s) {
        return !released && s.generation() != null && nanoTicker.getAsLong() - s.trustedUntilNanos() < 0;
    }

    /** Takes a new generation: whether it did (false: the row holds another generation that still lives). */
    public CompletionStage<Boolean> acquire() {
        if (released) {
            return CompletableFuture.completedFuture(false);
        }
        UUID generation = UUID.randomUUID();
        long sent = nanoTicker.getAsLong();
        return store.acquire(nodeId, generation, settings.leaseDuration()).thenApply(applied -> {
            if (applied && !released) {
                state.set(new State(generation, sent + settings.trusted().toNanos()));
                log.info("node lease of {} taken, generation {}", nodeId, generation);
            }
            return applied;
        });
    }

    /**
     * One renewal. If the row is gone or holds another generation, the old generation is no longer trusted and
     * (if {@code mayAcquire}) a new one is taken. A renewal that fails (Cassandra unreachable) changes nothing: the
     * trust lapses by itself.
     */
    public CompletionStage<Void> renew() {
        State held = state.get();
        if (released) {
            return CompletableFuture.completedFuture(null);
        }
        if (held.generation() == null) {
            return acquireIfAllowed();
        }
        long sent = nanoTicker.getAsLong();
        return store.renew(nodeId, held.generation(), settings.leaseDuration()).thenCompose(applied -> {
            if (applied) {
                long until = sent + settings.trusted().toNanos();
                state.updateAndGet(now -> held.generation().equals(now.generation())
                        ? new State(now.generation(), Math.max(now.trustedUntilNanos(), until)) : now);
                return CompletableFuture.<Void>completedFuture(null);
            }
            log.warn("node lease of {} generation {} was lost (expired or released): its replicas claim again",
                    nodeId, held.generation());
            state.updateAndGet(now -> held.generation().equals(now.generation()) ? State.NONE : now);
            return acquireIfAllowed();
        }).exceptionally(e -> {
            log.warn("renewing the node lease of {} failed: {}", nodeId, e.toString());
            return null;
        });
    }

    private CompletionStage<Void> acquireIfAllowed() {
        if (!mayAcquire.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        return acquire().thenApply(applied -> null);
    }

    private void renewUnlessRenewing() {
        if (renewing.compareAndSet(false, true)) {
            renew().whenComplete((done, failure) -> renewing.set(false));
        }
    }

    /** Stops renewing, stops trusting, and deletes this node's lease row (the node leaves or was downed). */
    public CompletionStage<Boolean> release() {
        released = true;
        Cancellable scheduled = renewals;
        if (scheduled != null) {
            scheduled.cancel();
        }
        State held = state.getAndSet(State.NONE);
        if (held.generation() == null) {
            return CompletableFuture.completedFuture(false);
        }
        log.info("releasing the node lease of {} generation {}", nodeId, held.generation());
        return store.release(nodeId, held.generation()).exceptionally(e -> false);
    }

    /**
     * A stopping replica gives up its persistence id, so that its next incarnation elsewhere (a hand-off) need not
     * wait for this node's lease to end; a few attempts, as a row left behind keeps that incarnation waiting.
     */
    public void releaseClaim(String persistenceId, Owner owner) {
        releaseClaim(persistenceId, owner, RELEASE_ATTEMPTS);
    }

    private void releaseClaim(String persistenceId, Owner owner, int attempts) {
        store.releaseOwner(persistenceId, owner).whenComplete((released, failure) -> {
            if (failure != null && attempts > 1) {
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                        .execute(() -> releaseClaim(persistenceId, owner, attempts - 1));
            } else if (failure != null) {
                log.warn("could not release {} (owner {}): its next incarnation waits for this node's lease to end",
                        persistenceId, owner, failure);
            }
        });
    }

    /** The store, for claims. */
    public NodeLeases store() {
        return store;
    }

    /** The lease's timing. */
    public FencingSettings settings() {
        return settings;
    }

    /** How long a claim should wait before trying again. */
    public Duration retryInterval() {
        return settings.renewInterval();
    }
}
