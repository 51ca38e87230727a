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
     * Judges every replica by its volume vector ({@code null}: it did not answer): a replica is behind if it
     * did not answer or another's vector dominates its own. If none answered, nothing is known and every
     * replica serves as before. Returns the replicas that are behind.
     */
    public List<Integer> judge(List<VersionVector> vectors) {
        boolean anyCurrent = false;
        for (int i = 0; i < vectors.size(); i++) {
            VersionVector mine = vectors.get(i);
            boolean dominated = mine == null;
            for (int j = 0; j < vectors.size() && !dominated; j++) {
                dominated = vectors.get(j) != null && mine.compare(vectors.get(j)) == VersionOrder.DOMINATED;
            }
            behind[i] = dominated;
            anyCurrent |= !dominated;
        }
        if (!anyCurrent) {
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
