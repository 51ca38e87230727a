package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.volume.ModelVolume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code strand repair dir} on model replicas as {@code coordinator/Repairs} performs it: every replica's reports of
 * the directory and the names, then {@link RepairPlanner#repairDir} until it decides (each {@link
 * RepairPlanner.ReadFirst} read as asked, the names and choices extended).
 */
final class ModelDirRepair {

    /** Large enough that a directory's entries are never cut in a repair's reads. */
    static final int ENTRY_BYTES = 1 << 20;

    /** The decision, the names and choices it was made for (with those it implied) and what was read. */
    record Outcome(RepairPlanner.Decision decision, List<String> names, List<Integer> keep,
                   List<RepairPlanner.Choice> elsewhere, List<Map<String, RepairPlanner.Seen>> seen) {}

    private ModelDirRepair() {}

    static Outcome decide(Group group, Fid dir, List<String> chosen, List<Integer> chosenKeep, boolean renameOthers) {
        return decide(group, dir, chosen, chosenKeep, renameOthers, RepairPlanner.MAX_REPAIR_BYTES);
    }

    /** As the coordinator reads a subtree: page by page in pieces of this many bytes of entries, joined. */
    static final int PIECE_BYTES = 256;

    static Outcome decide(Group group, Fid dir, List<String> chosen, List<Integer> chosenKeep, boolean renameOthers,
                          long maxBytes) {
        List<String> names = new ArrayList<>(chosen);
        List<Integer> keep = new ArrayList<>(chosenKeep);
        List<RepairPlanner.Choice> elsewhere = new ArrayList<>();
        List<Map<String, RepairPlanner.Seen>> seen = new ArrayList<>();
        List<Map<Fid, RepairPlanner.Seen>> byFid = new ArrayList<>();
        List<Map<Fid, List<VolumeSnapshot.VnodeRecord>>> trees = new ArrayList<>();
        for (int r = 0; r < group.size; r++) {
            seen.add(new HashMap<>());
            byFid.add(new HashMap<>());
            trees.add(new HashMap<>());
        }
        for (int round = 0; ; round++) {
            for (RepairPlanner.Read read : RepairPlanner.reads(dir, names, elsewhere, renameOthers, group.size)) {
                for (int r = 0; r < group.size; r++) {
                    int replica = r;
                    seen.get(r).computeIfAbsent(read.key(), k -> ReplicaRepairs.read(group.replicas[replica].volume,
                            read.dir(), read.name(), ENTRY_BYTES));
                }
            }
            var decision = RepairPlanner.repairDir(dir, names, keep, elsewhere, renameOthers, seen, byFid, trees,
                    maxBytes, 5_000_000);
            if (!(decision instanceof RepairPlanner.ReadFirst more) || round == 8) {
                return new Outcome(decision, names, keep, elsewhere, seen);
            }
            for (RepairPlanner.Choice c : more.choices()) {
                if (c.dir().equals(dir)) {
                    names.add(c.name());
                    keep.add(c.keep());
                } else {
                    elsewhere.add(c);
                }
            }
            for (int r = 0; r < group.size; r++) {
                for (Fid f : more.objects()) {
                    byFid.get(r).put(f, ReplicaRepairs.read(group.replicas[r].volume, f, null, ENTRY_BYTES));
                }
            }
            for (RepairPlanner.Tree t : more.trees()) {
                trees.get(t.replica()).put(t.dir(), VnodeImages.joinPieces(ReplicaRepairs.subtreeInPieces(
                        group.replicas[t.replica()].volume, t.dir(), PIECE_BYTES)));
            }
        }
    }

    /** Every replica journals its part of {@code repair}. */
    static void perform(Group group, RepairPlanner.NamesRepair repair) {
        for (int r = 0; r < group.size; r++) {
            for (VolumeEvent e : ReplicaRepairs.namesRepairEvents(group.replicas[r].volume, r, repair)) {
                group.replicas[r].apply(e);
            }
        }
    }

    /** The reports of the model replicas as {@link RepairPlanner#repairDir}'s 6-argument form reads them. */
    static List<Map<String, RepairPlanner.Seen>> read(Group group, Fid dir, List<String> names, boolean renameOthers) {
        List<Map<String, RepairPlanner.Seen>> seen = new ArrayList<>();
        for (ModelVolume m : group.replicas) {
            Map<String, RepairPlanner.Seen> byName = new HashMap<>();
            for (String name : RepairPlanner.dirReads(names, renameOthers, group.size)) {
                byName.put(name == null ? "" : name, ReplicaRepairs.read(m.volume, dir, name, ENTRY_BYTES));
            }
            seen.add(byName);
        }
        return seen;
    }
}
