package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.volume.Vnode;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The state a participant reports for a resolution: which vnodes, and their images. */
public final class VnodeImages {

    private VnodeImages() {}

    /** Every vnode number that the logs name (the objects and directories of their operations). */
    public static Set<Long> named(Collection<List<LogEntry>> logs) {
        Set<Long> numbers = new TreeSet<>();
        for (List<LogEntry> log : logs) {
            for (LogEntry entry : log) {
                numbers.addAll(OpEffects.of(entry.event()).touches());
            }
        }
        return numbers;
    }

    /**
     * This replica's images of {@code numbers} (those it has) and of every directory above them up to the root,
     * directories with all their entries, in number order.
     */
    public static List<VnodeRecord> collect(Volume volume, Collection<Long> numbers) {
        Set<Long> wanted = new TreeSet<>();
        for (Long number : numbers) {
            Vnode v = volume.vnode(number);
            while (v != null && wanted.add(v.number()) && v.isDirectory() && v.number() != Fid.ROOT_VNODE) {
                v = volume.vnode(v.parent());
            }
        }
        wanted.add(Fid.ROOT_VNODE);
        List<VnodeRecord> images = new ArrayList<>(wanted.size());
        for (Long number : wanted) {
            Vnode v = volume.vnode(number);
            if (v != null) {
                images.add(v.toRecord(v.entryRecords()));
            }
        }
        return images;
    }
}
