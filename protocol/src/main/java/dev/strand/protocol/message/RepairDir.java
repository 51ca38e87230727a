package dev.strand.protocol.message;

import java.util.List;

/**
 * REPAIR_DIR: names of directory {@code dir} in a conflict over names (NAME_NAME, REMOVE_UPDATE). For each
 * {@code names[i]}, the object replica {@code keep[i]} binds it to (or none) becomes every replica's binding; the other
 * replicas' objects bound to it are removed or, with {@code renameOthers}, kept under {@code NAME.conflict-r<replica>}.
 * The directory and every object kept get one version dominating every earlier one, and the conflicts are cleared.
 * Every replica must answer, or nothing changes (UNAVAILABLE names the one that did not). Replies the directory's Attr.
 */
public record RepairDir(Fid dir, @EntryName List<String> names, List<Integer> keep, boolean renameOthers)
        implements Request {}
