package dev.strand.protocol.message;

/**
 * REPAIR_FILE: the file (or symbolic link) {@code name} in directory {@code dir} is in conflict; replica {@code keep}'s
 * version becomes every replica's, with a version vector that dominates every earlier one, and the conflict is
 * cleared. Every replica must answer, or nothing changes (UNAVAILABLE names the one that did not). With {@code from}
 * (optional: a file the client stored new contents to), the repaired file takes that file's contents instead, in the
 * same write (the client removes {@code from} afterwards).
 */
public record RepairFile(Fid dir, @EntryName String name, int keep, Fid from) implements Request {

    public RepairFile(Fid dir, String name, int keep) {
        this(dir, name, keep, null);
    }
}
