package dev.strand.replication;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A version vector (Coda's vv_t): one update counter per replica of a volume, in the order of the
 * volume's storage group. A replica bumps its own slot for every update it makes; comparing two vectors
 * tells whether one replica's copy includes all updates of the other's or whether they diverged.
 *
 * <p>Immutable. Its wire and journal form is the plain list of counters ({@link #toList()}).
 * Vectors of different sizes belong to different storage groups and cannot be combined.
 */
public final class VersionVector {
    private final long[] counters;

    private VersionVector(long[] counters) {
        this.counters = counters;
    }

    /** All counters zero: a replica that has seen no update yet. */
    public static VersionVector ofSize(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("a version vector needs at least one slot, not " + slots);
        }
        return new VersionVector(new long[slots]);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static VersionVector fromList(List<Long> counters) {
        if (counters == null || counters.isEmpty()) {
            throw new IllegalArgumentException("a version vector needs at least one slot");
        }
        long[] values = new long[counters.size()];
        for (int i = 0; i < values.length; i++) {
            Long value = counters.get(i);
            if (value == null || value < 0) {
                throw new IllegalArgumentException("counter " + i + " of a version vector is " + value);
            }
            values[i] = value;
        }
        return new VersionVector(values);
    }

    @JsonValue
    public List<Long> toList() {
        List<Long> list = new ArrayList<>(counters.length);
        for (long c : counters) {
            list.add(c);
        }
        return Collections.unmodifiableList(list);
    }

    public int size() {
        return counters.length;
    }

    public long get(int slot) {
        return counters[checkSlot(slot)];
    }

    /** Sum of all counters: how many updates this vector accounts for. */
    public long total() {
        long sum = 0;
        for (long c : counters) {
            sum += c;
        }
        return sum;
    }

    /** This vector with the counter of {@code slot} one higher: the replica in that slot made an update. */
    public VersionVector increment(int slot) {
        long[] next = counters.clone();
        next[checkSlot(slot)] = Math.addExact(next[slot], 1);
        return new VersionVector(next);
    }

    /** Slot-wise maximum: the smallest vector that includes every update of both. */
    public VersionVector merge(VersionVector other) {
        checkSameSize(other);
        long[] merged = new long[counters.length];
        for (int i = 0; i < merged.length; i++) {
            merged[i] = Math.max(counters[i], other.counters[i]);
        }
        return new VersionVector(merged);
    }

    public VersionOrder compare(VersionVector other) {
        checkSameSize(other);
        boolean greater = false;
        boolean smaller = false;
        for (int i = 0; i < counters.length; i++) {
            if (counters[i] > other.counters[i]) {
                greater = true;
            } else if (counters[i] < other.counters[i]) {
                smaller = true;
            }
        }
        if (greater && smaller) {
            return VersionOrder.CONCURRENT;
        }
        if (greater) {
            return VersionOrder.DOMINATES;
        }
        return smaller ? VersionOrder.DOMINATED : VersionOrder.EQUAL;
    }

    /**
     * Coda's weak equality: two replicas of an object whose vectors differ but whose data versions (storeids)
     * are the same hold the same contents; only the vectors need equalising (their merge), not the data.
     * Equal vectors are not "weakly" equal: they are equal.
     */
    public static boolean weaklyEqual(VersionVector a, long dataVersionA, VersionVector b, long dataVersionB) {
        return a.compare(b) != VersionOrder.EQUAL && dataVersionA == dataVersionB;
    }

    /** True when this vector includes every update of {@code other} (it dominates or equals it). */
    public boolean includes(VersionVector other) {
        VersionOrder order = compare(other);
        return order == VersionOrder.EQUAL || order == VersionOrder.DOMINATES;
    }

    private int checkSlot(int slot) {
        if (slot < 0 || slot >= counters.length) {
            throw new IndexOutOfBoundsException("slot " + slot + " of a version vector of size " + counters.length);
        }
        return slot;
    }

    private void checkSameSize(VersionVector other) {
        if (other.counters.length != counters.length) {
            throw new IllegalArgumentException("version vectors of sizes " + counters.length + " and "
                    + other.counters.length + " belong to different storage groups");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector other && Arrays.equals(counters, other.counters);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counters);
    }

    @Override
    public String toString() {
        return Arrays.toString(counters);
    }
}
