package dev.strand.protocol.message;

import java.util.List;

/**
 * One conflict resolution could not merge: its {@code kind} ({@code UPDATE_UPDATE}, {@code NAME_NAME},
 * {@code REMOVE_UPDATE}, {@code RENAME_RENAME}, {@code FID_REUSED}, {@code REPLAY_REFUSED}), the {@code objects} and
 * directory entries ({@code names}) in it, a path per object then per name ({@code "?"} where unknown), the
 * {@code replicas} whose operations meet in it, one line of {@code reason}, and the replicas that hold it marked
 * ({@code markedOn}: all of them, unless a repair was interrupted).
 */
public record ConflictInfo(String kind, List<Fid> objects, List<ConflictName> names, List<String> paths,
                           List<Integer> replicas, String reason, List<Integer> markedOn) implements Message {

    /** Entry {@code name} of directory {@code dir}. */
    public record ConflictName(Fid dir, String name) implements Message {}
}
