package dev.strand.persistence;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * {@link NodeLeases} in memory, for the actor tests above persistence: the same compare-and-set semantics as
 * {@link CassandraNodeLeases}, each operation atomic, a lease row gone {@code ttl} after it was last written by the
 * given clock (nanoseconds; tests advance it to let leases expire). Stages are complete when returned.
 */
public final class InMemoryNodeLeases implements NodeLeases {

    private record LeaseRow(UUID generation, long expiresAtNanos) {}

    private final LongSupplier nanoClock;
    private final Map<String, LeaseRow> leases = new HashMap<>();
    private final Map<String, Owner> owners = new HashMap<>();

    public InMemoryNodeLeases() {
        this(System::nanoTime);
    }

    public InMemoryNodeLeases(LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    private LeaseRow live(String nodeId) {
        LeaseRow row = leases.get(nodeId);
        if (row != null && nanoClock.getAsLong() - row.expiresAtNanos() >= 0) {
            leases.remove(nodeId);
            return null;
        }
        return row;
    }

    private LeaseRow row(UUID generation, Duration ttl) {
        return new LeaseRow(generation, nanoClock.getAsLong() + ttl.toNanos());
    }

    @Override
    public synchronized CompletionStage<Boolean> acquire(String nodeId, UUID generation, Duration ttl) {
        LeaseRow current = live(nodeId);
        if (current == null) {
            leases.put(nodeId, row(generation, ttl));
            return done(true);
        }
        return done(current.generation().equals(generation));
    }

    @Override
    public synchronized CompletionStage<Boolean> renew(String nodeId, UUID generation, Duration ttl) {
        LeaseRow current = live(nodeId);
        if (current == null || !current.generation().equals(generation)) {
            return done(false);
        }
        leases.put(nodeId, row(generation, ttl));
        return done(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> release(String nodeId, UUID generation) {
        LeaseRow current = live(nodeId);
        return done(current != null && current.generation().equals(generation) && leases.remove(nodeId) != null);
    }

    @Override
    public synchronized CompletionStage<Boolean> releaseDead(String nodeId) {
        return done(live(nodeId) != null && leases.remove(nodeId) != null);
    }

    @Override
    public synchronized CompletionStage<Optional<UUID>> generation(String nodeId) {
        return done(Optional.ofNullable(live(nodeId)).map(LeaseRow::generation));
    }

    @Override
    public synchronized CompletionStage<Optional<Owner>> insertOwner(String persistenceId, Owner claimant) {
        Owner current = owners.putIfAbsent(persistenceId, claimant);
        return done(Optional.ofNullable(current));
    }

    @Override
    public synchronized CompletionStage<Boolean> replaceOwner(String persistenceId, Owner expected, Owner claimant) {
        return done(owners.replace(persistenceId, expected, claimant));
    }

    @Override
    public synchronized CompletionStage<Boolean> releaseOwner(String persistenceId, Owner owner) {
        return done(owners.remove(persistenceId, owner));
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
