package dev.strand.actors.volume;

import java.util.ArrayList;
import java.util.List;

/**
 * Parts of one coming atomic write that arrive in several messages before it (a resolution's steps and conflicts, a
 * repair's objects and removals), held under the id of the write they belong to. Input held for one command, never
 * volume state: not persisted (a replica that restarts has nothing staged, and the write that needs the parts is
 * refused or runs without them, as its caller decides). Bounded by bytes, since they all go into one Cassandra
 * mutation: a part past the bound drops everything staged.
 *
 * @param <A> the first kind of part (steps, objects)
 * @param <B> the second kind (conflicts, removals)
 */
final class StagedParts<A, B> {

    /** What was staged for one write, in arrival order. */
    record Taken<A, B>(List<A> first, List<B> second) {}

    private final long maxBytes;
    private long stagedFor;
    private final List<A> first = new ArrayList<>();
    private final List<B> second = new ArrayList<>();
    private long bytes;

    StagedParts(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Stages parts of write {@code id} ({@code partBytes}: their serialized size); parts of another write staged
     * before are dropped first. False, and everything dropped, if the write's parts would pass the bound.
     */
    boolean add(long id, long partBytes, List<A> firsts, List<B> seconds) {
        if (id != stagedFor) {
            drop();
            stagedFor = id;
        }
        if (bytes + partBytes > maxBytes) {
            drop();
            return false;
        }
        bytes += partBytes;
        first.addAll(firsts);
        second.addAll(seconds);
        return true;
    }

    /** How many parts are staged now. */
    int count() {
        return first.size() + second.size();
    }

    /** The parts staged for write {@code id}, forgotten now (they are used once); null if none are (0: none asked). */
    Taken<A, B> take(long id) {
        Taken<A, B> taken = id != 0 && id == stagedFor ? new Taken<>(List.copyOf(first), List.copyOf(second)) : null;
        drop();
        return taken;
    }

    private void drop() {
        stagedFor = 0;
        first.clear();
        second.clear();
        bytes = 0;
    }
}
