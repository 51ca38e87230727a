package dev.strand.replication;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What a coordinator knows of its storage group's replicas (index = version-vector slot): which are behind
 * (they missed operations the others applied: no COP1, no reads, they count for nothing until caught up),
 * which diverged, which answered their last request. Derived again from the replicas' volume vectors
 * whenever a coordinator starts ({@link #judge}); nothing here is persisted.
 *
 * <p>Pure, mutable, not thread-safe: it lives inside one actor.
 */
public final class StorageGroup {

    private final boolean[] behind;
    private final boolean[] diverged;
    private final String[] divergedWhy;
    private final boolean[] answering;

    public StorageGroup(int size) {
        behind = new boolean[size];
        diverged = new boolean[size];
        divergedWhy = new String[size];
        answering = new boolean[size];
        Arrays.fill(answering, true);
    }

    public int size() {
        return behind.length;
    }

    public boolean isBehind(int replica) {
        return behind[replica];
    }

    public boolean isDiverged(int replica) {
        return diverged[replica];
    }

    public boolean isAnswering(int replica) {
        return answering[replica];
    }

    public void answered(int replica, boolean answered) {
        answering[replica] = answered;
    }

    /** Marks a replica behind; true if it was not already. */
    public boolean markBehind(int replica) {
        boolean was = behind[replica];
        behind[replica] = true;
        return !was;
    }

    /** A replica that was brought up to date: it takes part in everything again. */
    public void markCurrent(int replica) {
        behind[replica] = false;
        diverged[replica] = false;
        divergedWhy[replica] = null;
        answering[replica] = true;
    }

    public void markDiverged(int replica, boolean isDiverged) {
        diverged[replica] = isDiverged;
        if (!isDiverged) {
            divergedWhy[replica] = null;
        }
    }

    /** Why a diverged replica is still diverged (what resolution found), for volume info; null: not known yet. */
    public void divergedBecause(int replica, String why) {
        divergedWhy[replica] = why;
    }

    /** The state's label, with the reason a diverged replica stays so ({@code "diverged: ..."}) when known. */
    public String describe(int i, boolean catchingUp) {
        ReplicaState state = state(i, catchingUp);
        return state == ReplicaState.DIVERGED && divergedWhy[i] != null ? state.label() + ": " + divergedWhy[i]
                : state.label();
    }

    /** How many replicas are not behind: those that get COP1 (the most a change can reach). */
    public int available() {
        int n = 0;
        for (boolean b : behind) {
            n += b ? 0 : 1;
        }
        return n;
    }

    public boolean anyCurrent() {
        return available() > 0;
    }

    /**
     * Judges every replica by its volume vector ({@code null}: it did not answer), comparing every pair: a replica
     * is behind if it did not answer or another's vector dominates its own (it catches up); a replica that no other
     * dominates but whose vector is concurrent with another such replica's is diverged (each of them lacks a change
     * the other holds, possibly an acknowledged write: none may serve until resolution merged them). If none
     * answered, nothing is known and every replica serves as before. Returns the replicas that are behind,
     * diverged ones included.
     */
    public List<Integer> judge(List<VersionVector> vectors) {
        Verdict[] verdicts = compare(vectors);
        boolean anyCurrent = false;
        boolean anyDiverged = false;
        for (int i = 0; i < verdicts.length; i++) {
            behind[i] = verdicts[i] != Verdict.CURRENT;
            boolean concurrent = verdicts[i] == Verdict.CONCURRENT;
            if (diverged[i] != concurrent) {
                markDiverged(i, concurrent);
            }
            anyCurrent |= verdicts[i] == Verdict.CURRENT;
            anyDiverged |= concurrent;
        }
        if (!anyCurrent && !anyDiverged) {
            Arrays.fill(behind, false);
        }
        List<Integer> behindNow = new ArrayList<>();
        for (int i = 0; i < behind.length; i++) {
            if (behind[i]) {
                behindNow.add(i);
            }
        }
        return behindNow;
    }

    /** How one replica's volume vector stands against every other answering replica's. */
    public enum Verdict {
        /** It did not answer: nothing is known. */
        UNKNOWN,
        /** Another replica's vector dominates it: it lacks changes and holds none the other lacks. */
        DOMINATED,
        /** No vector dominates it, but another undominated one is concurrent with it: the replicas diverged. */
        CONCURRENT,
        /** No vector dominates it and every other undominated one equals it. */
        CURRENT
    }

    /** Every replica's {@link Verdict}, from every pair of vectors ({@code null}: the replica did not answer). */
    public static Verdict[] compare(List<VersionVector> vectors) {
        int n = vectors.size();
        Verdict[] verdicts = new Verdict[n];
        for (int i = 0; i < n; i++) {
            VersionVector mine = vectors.get(i);
            verdicts[i] = mine == null ? Verdict.UNKNOWN : Verdict.CURRENT;
            for (int j = 0; j < n && verdicts[i] == Verdict.CURRENT; j++) {
                if (j != i && vectors.get(j) != null && mine.compare(vectors.get(j)) == VersionOrder.DOMINATED) {
                    verdicts[i] = Verdict.DOMINATED;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n && verdicts[i] == Verdict.CURRENT; j++) {
                if (j != i && verdicts[j] != Verdict.UNKNOWN && verdicts[j] != Verdict.DOMINATED
                        && vectors.get(i).compare(vectors.get(j)) == VersionOrder.CONCURRENT) {
                    verdicts[i] = Verdict.CONCURRENT;
                }
            }
        }
        return verdicts;
    }

    /** Whether some replica is diverged. */
    public boolean anyDiverged() {
        for (boolean d : diverged) {
            if (d) {
                return true;
            }
        }
        return false;
    }

    /** Why replica {@code i} is diverged, as volume info shows it; null if not known (or not diverged). */
    public String divergedWhy(int i) {
        return divergedWhy[i];
    }

    /**
     * The replica a read goes to: the first current one that answered last time and was not tried, else the
     * first current one not tried; -1 when none is left.
     */
    public int readTarget(Set<Integer> tried) {
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < behind.length; i++) {
                if (!tried.contains(i) && !behind[i] && (pass == 1 || answering[i])) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The state of replica {@code i} that answered; {@code catchingUp}: a catch-up of it is under way. */
    public ReplicaState state(int i, boolean catchingUp) {
        if (!behind[i]) {
            return ReplicaState.CURRENT;
        }
        if (diverged[i]) {
            return ReplicaState.DIVERGED;
        }
        return catchingUp ? ReplicaState.CATCHING_UP : ReplicaState.BEHIND;
    }
}
