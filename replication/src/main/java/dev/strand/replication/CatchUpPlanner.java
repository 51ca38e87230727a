package dev.strand.replication;

import java.util.List;
import java.util.function.LongFunction;

/**
 * The decisions of catching up a replica that fell behind (the target) from a current one (the source);
 * the exchange itself (paging through vnode versions, copying what differs) is the actors' job. Rounds run
 * while the volume keeps changing until one ships few items or enough rounds ran; the last round runs with
 * mutations paused, after which the target is current.
 *
 * <p>Pure: no clock, no messages.
 */
public final class CatchUpPlanner {

    /** Rounds that ship fewer items than this are close enough: the next round is the last one. */
    public static final int CLOSE_ENOUGH = 64;
    /** At most this many rounds run with mutations flowing; the next is the last one. */
    public static final int MAX_OPEN_ROUNDS = 3;
    /** The longest wait before trying a catch-up again. */
    public static final long MAX_BACKOFF_MILLIS = 10_000;

    private CatchUpPlanner() {}

    /** What to do for a target, given every replica's volume vector (null where it gave none). */
    public sealed interface Plan {
        /** Copy from {@code source}: it is current and holds everything the target holds. */
        record CopyFrom(int source) implements Plan {}

        /**
         * No current replica dominates the target: ask the target which operations wait for COP2 there, then
         * {@link #excessExplained} against {@code current}.
         */
        record CheckPending(int current) implements Plan {}

        /** Not now: try again later. */
        record Retry(String why) implements Plan {}

        /** Every replica is behind: judge them all again by their vectors. */
        record Rejudge() implements Plan {}
    }

    /**
     * The source must be current and hold everything the target holds (the target's vector equal to or
     * dominated by the source's). A target with updates no current replica has may have diverged.
     */
    public static Plan plan(int target, List<VersionVector> vectors, StorageGroup group) {
        if (!group.anyCurrent()) {
            return new Plan.Rejudge();
        }
        if (vectors.get(target) == null) {
            return new Plan.Retry("it did not answer");
        }
        for (int j = 0; j < vectors.size(); j++) {
            if (j != target && !group.isBehind(j) && vectors.get(j) != null) {
                VersionOrder order = vectors.get(target).compare(vectors.get(j));
                if (order == VersionOrder.EQUAL || order == VersionOrder.DOMINATED) {
                    return new Plan.CopyFrom(j);
                }
            }
        }
        for (int j = 0; j < vectors.size(); j++) {
            if (j != target && !group.isBehind(j) && vectors.get(j) != null) {
                return new Plan.CheckPending(j);
            }
        }
        return new Plan.Retry("no current replica answered");
    }

    /**
     * Whether the target holds nothing the source lacks although its vector is not dominated: it is behind
     * the source in every other slot, and its own slot is ahead by no more than the operations it waits COP2
     * for that the coordinator saw committed by other replicas without it (their answers were lost: each
     * bumped its slot once without the others learning of it). Anything else is divergence.
     *
     * @param updateSetOf the update set (bit per replica) of an operation the coordinator saw committed, or
     *                    null if it saw none under that id
     */
    public static boolean excessExplained(int target, VersionVector mine, VersionVector theirs, List<Long> pending,
                                          LongFunction<Integer> updateSetOf) {
        for (int slot = 0; slot < mine.size(); slot++) {
            if (slot != target && mine.get(slot) > theirs.get(slot)) {
                return false;
            }
        }
        int lostAnswers = 0;
        for (Long opId : pending) {
            Integer members = updateSetOf.apply(opId);
            if (members == null) {
                return false; // not an operation the coordinator saw the others commit
            }
            lostAnswers += (members & (1 << target)) == 0 ? 1 : 0;
        }
        return mine.get(target) - theirs.get(target) <= lostAnswers;
    }

    /** After an open round that installed {@code installed} items, the {@code rounds}-th: is the next the last? */
    public static boolean lastRoundNext(int installed, int rounds) {
        return installed <= CLOSE_ENOUGH || rounds >= MAX_OPEN_ROUNDS;
    }

    /** How long to wait before the next attempt after {@code failures} failed in a row (at least 1). */
    public static long retryDelayMillis(int failures) {
        return Math.min(MAX_BACKOFF_MILLIS, 250L << Math.min(failures, 10));
    }
}
