package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;

import java.util.List;
import java.util.Set;

/**
 * An object resolution could not merge: it is left as it is on every replica (no replica's version is picked) and
 * its vectors are not equalised, so every later comparison still sees it unequal until {@code strand repair}.
 *
 * @param kind      which rule of {@link MergeRules} (or which refusal) it is
 * @param objects   the objects in conflict (each replica keeps its own version of them)
 * @param names     the directory entries in conflict: each replica keeps its own binding of them; the directory
 *                  itself merges its other entries, but keeps unequal vectors
 * @param paths     a path hint per object and per name, as the replicas' directories name them ("?" where unknown)
 * @param replicas  the replicas whose operations meet in the conflict
 * @param opIds     the operations held back (performed where they were, replayed nowhere)
 * @param reason    one line for a human
 */
public record Conflict(Kind kind, List<Fid> objects, List<Name> names, List<String> paths, Set<Integer> replicas,
                       List<Long> opIds, String reason) {

    public enum Kind {
        /** The same object's contents or attributes changed on both sides (and the results differ). */
        UPDATE_UPDATE,
        /** One name created (or a rename's target) on both sides for different objects. */
        NAME_NAME,
        /** An object (a file, or a directory) removed on one side and changed, or created in, on the other. */
        REMOVE_UPDATE,
        /** One name moved or removed on both sides in different ways (rename/rename, rename/unlink). */
        RENAME_RENAME,
        /** Both sides allocated the same fid for different objects: the log cannot give every replica one object. */
        FID_REUSED,
        /** An operation the rules merge, which the other replica's state still refuses (e.g. a rename loop, an
         *  operation on an object held back by another conflict). */
        REPLAY_REFUSED
    }

    /** A directory entry: {@code name} in directory {@code dir}. */
    public record Name(Fid dir, String name) {}
}
