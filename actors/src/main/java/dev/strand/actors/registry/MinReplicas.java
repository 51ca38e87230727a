package dev.strand.actors.registry;

import dev.strand.protocol.error.InvalidArgumentException;

/**
 * The volume setting {@code min-replicas}: how many replicas of the storage group must apply a mutation
 * (COP1) before the client hears that it succeeded. "1" (the default, as Coda: any available replica is
 * enough) or "majority" (more than half of the group).
 */
public final class MinReplicas {

    public static final String ONE = "1";
    public static final String MAJORITY = "majority";

    private MinReplicas() {}

    /** Refuses anything but null, "1" and "majority". */
    public static void check(String setting) {
        if (setting != null && !setting.equals(ONE) && !setting.equals(MAJORITY)) {
            throw new InvalidArgumentException("min-replicas is \"1\" or \"majority\", not \"" + setting + "\"");
        }
    }

    /** The stored form: null for the default ("1"), so that records without the setting read the same. */
    public static String normalize(String setting) {
        check(setting);
        return MAJORITY.equals(setting) ? MAJORITY : null;
    }

    /** The replicas a group of {@code replicas} needs under {@code setting}. */
    public static int required(String setting, int replicas) {
        return MAJORITY.equals(setting) ? replicas / 2 + 1 : 1;
    }
}
