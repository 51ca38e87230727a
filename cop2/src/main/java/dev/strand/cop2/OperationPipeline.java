package dev.strand.cop2;

import dev.strand.replication.StorageGroup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A coordinator's mutations from arrival to answer: decisions, not messages (the actor sends and receives).
 * Mutations wait in arrival order; up to {@link #MAX_IN_FLIGHT} are sent at once (pipelined: one sender and
 * one receiver keep their order, so every replica applies the same operations in the same order, decides
 * each against the same state and allocates the same fids). Each gets a fresh operation id and goes (COP1)
 * to every replica that is not behind; what the answers mean is decided here ({@link Finished}), as is
 * which update sets each replica is owed (COP2: sent on its next COP1, or flushed on their own).
 *
 * <p>min-replicas is checked twice so that the status never lies: a change is refused before COP1 when fewer
 * replicas are available than it needs (nothing applied); one that fewer replicas applied than it needs is
 * {@link Outcome#UNDER_REPLICATED} (applied).
 *
 * <p>Pure, mutable, not thread-safe: it lives inside one actor.
 *
 * @param <M> a queued mutation (the actor's message and who to answer)
 * @param <A> a replica's answer
 */
public final class OperationPipeline<M, A> {

    public static final int MAX_IN_FLIGHT = 32;

    /**
     * Most update sets a replica is owed: a backlog that reaches this many is handed out at once
     * ({@link Finished#cop2Now()}). So a COP1 or COP2 message carries at most this many (a few KiB, far below
     * a frame), and the replica persists at most this many COP2 events in one atomic write, which stays below
     * Cassandra's batch limit (batch_size_fail_threshold, 50 KiB) even when the write spans two journal partitions.
     */
    public static final int MAX_UNSENT_COP2 = 128;

    /** What a replica's answer to COP1 was. */
    public enum Answer {
        /** Applied: it persisted the operation. */
        COMMITTED,
        /** Done without a change (a no-op, or a retry answered again). */
        UNCHANGED,
        /** Refused (EXISTS, NOT_FOUND...): replicas in step refuse alike. */
        REFUSED,
        /** No answer in time. */
        NONE
    }

    /** What the client hears. */
    public enum Outcome {
        /** The answer of replica {@link Finished#replyFrom()}: applied on enough replicas, or refused, or a no-op. */
        ANSWER,
        /** Applied, on fewer replicas than min-replicas asks. */
        UNDER_REPLICATED,
        /** No replica answered: it may or may not have been applied. */
        NO_ANSWER
    }

    /** What to do with the next queued mutation. */
    public sealed interface Start<M> {
        /** Send operation {@code opId} to {@code targets} (COP1). */
        record Send<M>(long opId, M mutation, List<Integer> targets) implements Start<M> {}

        /** Refuse without sending it anywhere: fewer than {@code required} of {@code size} replicas are available. */
        record TooFewAvailable<M>(M mutation, int available, int size, int required) implements Start<M> {}

        /** Refuse without sending it anywhere: no operation id is leased now. */
        record NoOperationId<M>(M mutation) implements Start<M> {}
    }

    /**
     * An operation every target answered. {@code reply}: the answer to forward (for {@link Outcome#ANSWER});
     * {@code updateSet}: the replicas that applied it; {@code missed}: replicas not behind before that did not
     * apply what others applied (they are behind now: the caller catches them up); {@code cop2Now}: per replica,
     * a full backlog of update sets ({@link #MAX_UNSENT_COP2}), taken: the caller sends it at once.
     */
    public record Finished<M, A>(long opId, M mutation, Outcome outcome, A reply, List<Integer> updateSet,
                                 List<Integer> missed, Map<Integer, List<UpdateSet>> cop2Now) {}

    private static final class Operation<M, A> {
        final long opId;
        final M mutation;
        final Answer[] kinds;
        final List<A> answers;
        int pending;

        Operation(long opId, M mutation, int replicas, int pending) {
            this.opId = opId;
            this.mutation = mutation;
            this.kinds = new Answer[replicas];
            this.answers = new ArrayList<>(java.util.Collections.nCopies(replicas, null));
            this.pending = pending;
        }
    }

    private final StorageGroup group;
    private final int required;
    private final OperationIds ids;
    private final ArrayDeque<M> queue = new ArrayDeque<>();
    private final Map<Long, Operation<M, A>> inFlight = new HashMap<>();
    private final List<List<UpdateSet>> unsent = new ArrayList<>();
    private final CommittedOperations committed = new CommittedOperations();
    private boolean paused;

    /**
     * @param required how many replicas must apply a change (min-replicas)
     * @param ids      where operation ids come from
     */
    public OperationPipeline(StorageGroup group, int required, OperationIds ids) {
        this.group = group;
        this.required = required;
        this.ids = ids;
        for (int i = 0; i < group.size(); i++) {
            unsent.add(new ArrayList<>());
        }
    }

    public void enqueue(M mutation) {
        queue.add(mutation);
    }

    /** Mutations wait (in the queue) until {@link #resume()}; those in flight finish. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public boolean isPaused() {
        return paused;
    }

    /** No operation is waiting for answers. */
    public boolean idle() {
        return inFlight.isEmpty();
    }

    /** The next mutation to start or refuse, or null when none may start now (paused, limit reached, none queued). */
    public Start<M> next() {
        if (paused || inFlight.size() >= MAX_IN_FLIGHT || queue.isEmpty()) {
            return null;
        }
        M mutation = queue.poll();
        if (!ids.available()) {
            return new Start.NoOperationId<>(mutation);
        }
        int available = group.available();
        if (available < required) {
            return new Start.TooFewAvailable<>(mutation, available, group.size(), required);
        }
        long opId = ids.take();
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            if (!group.isBehind(i)) {
                targets.add(i);
            }
        }
        inFlight.put(opId, new Operation<>(opId, mutation, group.size(), targets.size()));
        return new Start.Send<>(opId, mutation, List.copyOf(targets));
    }

    /**
     * Replica {@code replica}'s answer to operation {@code opId} ({@code answer} null with {@link Answer#NONE});
     * the decision once every target answered, else null (also for an unknown operation).
     */
    public Finished<M, A> answer(long opId, int replica, Answer kind, A answer) {
        Operation<M, A> op = inFlight.get(opId);
        if (op == null) {
            return null;
        }
        op.kinds[replica] = kind;
        op.answers.set(replica, answer);
        if (--op.pending > 0) {
            return null;
        }
        inFlight.remove(opId);
        return finish(op);
    }

    private Finished<M, A> finish(Operation<M, A> op) {
        int answered = 0;
        int first = -1;
        int firstDone = -1;
        List<Integer> updateSet = new ArrayList<>();
        for (int i = 0; i < op.kinds.length; i++) {
            Answer kind = op.kinds[i];
            if (kind == null || kind == Answer.NONE) {
                continue;
            }
            answered++;
            first = first < 0 ? i : first;
            if (kind == Answer.COMMITTED || kind == Answer.UNCHANGED) {
                firstDone = firstDone < 0 ? i : firstDone;
                if (kind == Answer.COMMITTED) {
                    updateSet.add(i);
                }
            }
        }
        List<Integer> missed = new ArrayList<>();
        if (!updateSet.isEmpty()) {
            for (int i = 0; i < op.kinds.length; i++) {
                boolean done = op.kinds[i] == Answer.COMMITTED || op.kinds[i] == Answer.UNCHANGED;
                if (!group.isBehind(i) && !done) {
                    group.markBehind(i); // missed (or refused) what others committed
                    unsent.get(i).clear(); // its versions will be the source's, update sets included
                    missed.add(i);
                }
            }
            committed.record(op.opId, updateSet);
        }
        Map<Integer, List<UpdateSet>> cop2Now = new TreeMap<>();
        // an update set of one replica too: it bumps nothing there, but ends the operation's pending-COP2 entry,
        // which would otherwise wait for its expiry (the others missed it and catch up)
        if (!updateSet.isEmpty() && group.size() > 1) {
            UpdateSet set = new UpdateSet(op.opId, updateSet);
            for (int replica : updateSet) {
                unsent.get(replica).add(set);
                if (unsent.get(replica).size() >= MAX_UNSENT_COP2) {
                    cop2Now.put(replica, takeUnsent(replica));
                }
            }
        }
        Outcome outcome = !updateSet.isEmpty() && updateSet.size() < required ? Outcome.UNDER_REPLICATED
                : answered == 0 ? Outcome.NO_ANSWER : Outcome.ANSWER;
        A reply = outcome == Outcome.ANSWER ? op.answers.get(firstDone >= 0 ? firstDone : first) : null;
        return new Finished<>(op.opId, op.mutation, outcome, reply, List.copyOf(updateSet), List.copyOf(missed),
                Map.copyOf(cop2Now));
    }

    /** The update sets {@code replica} is owed, taken (to ride on its next message); empty if none. */
    public List<UpdateSet> takeUnsent(int replica) {
        List<UpdateSet> updates = unsent.get(replica);
        if (updates.isEmpty()) {
            return List.of();
        }
        List<UpdateSet> taken = List.copyOf(updates);
        updates.clear();
        return taken;
    }

    /** Forget what {@code replica} is owed: it is behind, and will copy its versions from a current replica. */
    public void dropUnsent(int replica) {
        unsent.get(replica).clear();
    }

    /** Whether any replica is owed an update set. */
    public boolean anyUnsent() {
        return unsent.stream().anyMatch(u -> !u.isEmpty());
    }

    /** The operations seen committed (for catching up: see {@link CommittedOperations}). */
    public CommittedOperations committed() {
        return committed;
    }
}
