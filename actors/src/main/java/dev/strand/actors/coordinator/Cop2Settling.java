package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.cop2.OperationPipeline;
import dev.strand.replication.StorageGroup;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * COP2 on a quiet volume. An update set is sent once (on the replica's next COP1, or on its own after the flush
 * delay), with no answer; a replica that missed that message (briefly unreachable, a lost connection) keeps the
 * operation in its pending-COP2 table until it expires (15 minutes), its objects one bump short meanwhile. So once
 * the volume has been quiet for {@link #QUIET}, the coordinator asks every current replica which operations it still
 * waits COP2 for and sends it the update set of each one this coordinator saw committed
 * ({@code CommittedOperations}; an operation of an earlier coordinator is left to its expiry, or to the catch-up or
 * resolution that detection starts when the vectors differ). Sending an update set twice is harmless: a replica
 * applies it only while the operation is pending there.
 */
final class Cop2Settling {

    /** How long the volume must have been without mutations before the replicas are asked. */
    static final Duration QUIET = Duration.ofSeconds(1);

    /** The longest wait between two looks while replicas keep listing operations whose update sets were sent. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** A replica's first page of operations waiting for COP2 (or its refusal; null: no answer). Internal. */
    record PendingListed(int replica, Result result) implements NoSerializationVerificationNeeded {}

    private final ActorContext<Object> context;
    private final long volumeId;
    private final TimerScheduler<Object> timers;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final OperationPipeline<?, ?> pipeline;
    private final GroupAsks asks;
    /** Looks in a row that sent update sets again (the next look waits longer); 0 after a mutation. */
    private int resent;

    Cop2Settling(ActorContext<Object> context, long volumeId, TimerScheduler<Object> timers,
                 List<RecipientRef<Command>> replicas, StorageGroup group, OperationPipeline<?, ?> pipeline,
                 GroupAsks asks) {
        this.context = context;
        this.volumeId = volumeId;
        this.timers = timers;
        this.replicas = replicas;
        this.group = group;
        this.pipeline = pipeline;
        this.asks = asks;
    }

    /**
     * When the coordinator starts, before it judges the replicas: an earlier coordinator that died (or moved) took
     * the update sets it had not sent yet with it, so replicas that applied the same operations look concurrent.
     * Every replica lists the operations it waits COP2 for (its first page; a replica that does not answer within
     * a second is left out), and each listed operation gets as update set the replicas that list it: a subset of the
     * replicas that applied it, so no slot is ever bumped for a replica that lacks the change (one that applied it and
     * already had its COP2, or did not answer, is left out: the vectors then stay unequal, and detection catches up or
     * resolves). Completes once the replicas applied them (or did not answer).
     */
    CompletableFuture<Void> atStart(Duration timeout, Scheduler scheduler) {
        Duration listWait = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? timeout : Duration.ofSeconds(1);
        List<CompletableFuture<Result>> lists = new ArrayList<>();
        for (RecipientRef<Command> replica : replicas) {
            lists.add(AskPattern.<Command, Result>ask(replica, r -> new VolumeReplica.ListPendingOperationsPage(0, r),
                    listWait, scheduler).toCompletableFuture().exceptionally(failure -> null));
        }
        return CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            Map<Long, List<Integer>> listedBy = new TreeMap<>();
            for (int i = 0; i < lists.size(); i++) {
                if (lists.get(i).getNow(null) instanceof Result.PendingOperationsPage page) {
                    for (long opId : page.opIds()) {
                        listedBy.computeIfAbsent(opId, id -> new ArrayList<>()).add(i);
                    }
                }
            }
            List<CompletableFuture<Result>> acks = new ArrayList<>();
            for (int i = 0; i < replicas.size(); i++) {
                List<Cop2Update> updates = new ArrayList<>();
                for (var listed : listedBy.entrySet()) {
                    if (listed.getValue().contains(i)) {
                        updates.add(new Cop2Update(listed.getKey(), List.copyOf(listed.getValue())));
                    }
                }
                for (List<Cop2Update> batch : batches(updates)) {
                    RecipientRef<Command> replica = replicas.get(i);
                    acks.add(AskPattern.<Command, Result>ask(replica, r -> new VolumeReplica.Cop2(batch, r), timeout,
                            scheduler).toCompletableFuture().exceptionally(failure -> null));
                }
            }
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
        });
    }

    /** At most as many update sets per message as the pipeline ever sends: one atomic write of COP2 events stays small. */
    private static List<List<Cop2Update>> batches(List<Cop2Update> updates) {
        List<List<Cop2Update>> batches = new ArrayList<>();
        for (int from = 0; from < updates.size(); from += OperationPipeline.MAX_UNSENT_COP2) {
            batches.add(List.copyOf(updates.subList(from, Math.min(updates.size(),
                    from + OperationPipeline.MAX_UNSENT_COP2))));
        }
        return batches;
    }

    /** An operation finished: the quiet spell starts again. */
    void afterOperation() {
        if (replicas.size() == 1) {
            return; // one replica: no update sets
        }
        resent = 0;
        timers.startSingleTimer(VolumeCoordinator.Tick.SETTLE_COP2, QUIET);
    }

    /** The volume was quiet: ask every current replica what it still waits for. */
    void onQuiet() {
        if (!pipeline.idle() || pipeline.isPaused()) {
            afterOperation(); // not quiet after all: later
            return;
        }
        for (int i = 0; i < replicas.size(); i++) {
            if (!group.isBehind(i)) { // one that is behind gets its versions (and an empty table) by catching up
                int replica = i;
                context.pipeToSelf(asks.ask(i, r -> new VolumeReplica.ListPendingOperationsPage(0, r)),
                        (result, failure) -> new PendingListed(replica, result));
            }
        }
    }

    /**
     * The update sets replica {@code replica} is owed for {@code opIds}: those of the operations this coordinator
     * saw committed with the replica among their members.
     */
    static List<Cop2Update> owed(dev.strand.cop2.CommittedOperations committed, int replica, int replicaCount,
                                 Iterable<Long> opIds) {
        List<Cop2Update> updates = new ArrayList<>();
        for (long opId : opIds) {
            Integer members = committed.updateSetOf(opId);
            if (members != null && (members & (1 << replica)) != 0) {
                List<Integer> set = new ArrayList<>();
                for (int slot = 0; slot < replicaCount; slot++) {
                    if ((members & (1 << slot)) != 0) {
                        set.add(slot);
                    }
                }
                updates.add(new Cop2Update(opId, set));
            }
        }
        return updates;
    }

    void onListed(PendingListed listed) {
        int replica = listed.replica();
        if (!(listed.result() instanceof Result.PendingOperationsPage page) || group.isBehind(replica)) {
            return;
        }
        List<Cop2Update> updates = owed(pipeline.committed(), replica, replicas.size(), page.opIds());
        for (List<Cop2Update> batch : batches(updates)) {
            replicas.get(replica).tell(new VolumeReplica.Cop2(batch, null));
        }
        if (!updates.isEmpty()) {
            context.getLog().info("Replica {} of volume {} still waited COP2 for {} operations this coordinator saw "
                    + "committed (their update sets were lost); sent again", replica, volumeId, updates.size());
            // look again: more pages, or the update sets sent now lost too (the replica still unreachable)
            if (!timers.isTimerActive(VolumeCoordinator.Tick.SETTLE_COP2)) {
                Duration next = QUIET.multipliedBy(1L << Math.min(resent++, 6));
                timers.startSingleTimer(VolumeCoordinator.Tick.SETTLE_COP2,
                        next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next);
            }
        }
    }
}
