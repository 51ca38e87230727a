package dev.strand.volume;

import dev.strand.protocol.message.Fid;

import java.util.List;

/**
 * RESOLUTION: one conflict as a replica keeps it (resolution marks it on every replica, in the same atomic write as the
 * mergeable steps; {@code strand repair} clears it). Each replica keeps its own version of the objects and its own
 * binding of the names; every read or mutation that touches one of them is refused with {@code CONFLICT}.
 *
 * @param kind     which rule made it (the names of {@code dev.strand.conflictrepair.Conflict.Kind}: a text, so a
 *                 kind added later still reads)
 * @param objects  the objects in conflict
 * @param names    the directory entries in conflict
 * @param paths    a path hint per object, then per name ("?" where unknown)
 * @param replicas the replicas whose operations meet in it
 * @param reason   one line for a human
 */
public record ConflictRecord(String kind, List<Fid> objects, List<Name> names, List<String> paths,
                             List<Integer> replicas, String reason) implements Serialized {

    public ConflictRecord {
        objects = objects == null ? List.of() : List.copyOf(objects);
        names = names == null ? List.of() : List.copyOf(names);
        paths = paths == null ? List.of() : List.copyOf(paths);
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    /** Entry {@code name} of directory {@code dir}. */
    public record Name(Fid dir, String name) {}

    /** The path hint of {@code object}, or null. */
    public String pathOf(Fid object) {
        int i = objects.indexOf(object);
        return i >= 0 && i < paths.size() ? paths.get(i) : null;
    }

    /** The path hint of the first thing in conflict, for messages. */
    public String firstPath() {
        return paths.isEmpty() ? "?" : paths.get(0);
    }

    /** "UPDATE_UPDATE between replicas [0, 1]": what a CONFLICT error says. */
    public String describe() {
        return kind + " between replicas " + replicas;
    }
}
