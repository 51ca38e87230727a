package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The state a participant reports for a resolution: which vnodes, and their images. A directory's image can be far
 * larger than one message between nodes (a directory of thousands of names), so images travel as PIECES: a directory
 * is cut into consecutive records of the same vnode, each with a slice of its entries in name order ({@link
 * #inPieces}), and the receiver joins them again ({@link #joinPieces}).
 */
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
        List<VnodeRecord> images = new ArrayList<>();
        for (Vnode v : wanted(volume, numbers)) {
            images.add(v.toRecord(v.entryRecords()));
        }
        return images;
    }

    /** The vnodes {@link #collect} images: those of {@code numbers} held here, the directories above, the root. */
    private static List<Vnode> wanted(Volume volume, Collection<Long> numbers) {
        Set<Long> wanted = new TreeSet<>();
        for (Long number : numbers) {
            Vnode v = volume.vnode(number);
            while (v != null && wanted.add(v.number()) && v.isDirectory() && v.number() != Fid.ROOT_VNODE) {
                v = volume.vnode(v.parent());
            }
        }
        wanted.add(Fid.ROOT_VNODE);
        List<Vnode> held = new ArrayList<>(wanted.size());
        for (Long number : wanted) {
            Vnode v = volume.vnode(number);
            if (v != null) {
                held.add(v);
            }
        }
        return held;
    }

    /**
     * {@link #collect}, with every directory whose entries cost more than {@code pieceBytes} (the CBOR estimate of
     * {@link VnodeSync#entries}) cut into consecutive pieces: the first piece is the directory's record with the first
     * slice of entries, each further piece the same record with the next slice. Deterministic for one state, so a
     * reader may page through the pieces by their position.
     */
    public static List<VnodeRecord> collectInPieces(Volume volume, Collection<Long> numbers, int pieceBytes) {
        List<VnodeRecord> pieces = new ArrayList<>();
        for (Vnode v : wanted(volume, numbers)) { // each directory's entries are listed once, slice by slice
            if (!v.isDirectory()) {
                pieces.add(v.toRecord(List.of()));
                continue;
            }
            String after = null;
            while (true) {
                VnodeSync.Entries slice = VnodeSync.entries(v, after, pieceBytes);
                pieces.add(v.toRecord(slice.entries()));
                if (slice.last() || slice.entries().isEmpty()) {
                    break;
                }
                after = slice.entries().get(slice.entries().size() - 1).name();
            }
        }
        return pieces;
    }

    /** The records of {@code image} cut so that each holds at most {@code pieceBytes} of entries (at least one). */
    public static List<VnodeRecord> inPieces(VnodeRecord image, int pieceBytes) {
        if (image.entries().isEmpty()) {
            return List.of(image);
        }
        List<VnodeRecord> pieces = new ArrayList<>();
        List<EntryRecord> slice = new ArrayList<>();
        int left = pieceBytes;
        for (EntryRecord e : image.entries()) {
            int cost = VnodeSync.ENTRY_RECORD_BYTES + dev.strand.volume.FrameBudget.text(e.name());
            if (left - cost < 0 && !slice.isEmpty()) {
                pieces.add(withEntries(image, slice));
                slice = new ArrayList<>();
                left = pieceBytes;
            }
            left -= cost;
            slice.add(e);
        }
        pieces.add(withEntries(image, slice));
        return pieces;
    }

    /** Consecutive pieces of the same vnode joined into one image (entries in the order they came); others as given. */
    public static List<VnodeRecord> joinPieces(List<VnodeRecord> pieces) {
        List<VnodeRecord> images = new ArrayList<>(pieces.size());
        List<EntryRecord> entries = null;
        VnodeRecord first = null;
        for (VnodeRecord piece : pieces) {
            if (first != null && first.vnode() == piece.vnode()) {
                entries.addAll(piece.entries());
                continue;
            }
            if (first != null) {
                images.add(withEntries(first, entries));
            }
            first = piece;
            entries = new ArrayList<>(piece.entries());
        }
        if (first != null) {
            images.add(withEntries(first, entries));
        }
        return images;
    }

    private static VnodeRecord withEntries(VnodeRecord r, List<EntryRecord> entries) {
        return new VnodeRecord(r.vnode(), r.unique(), r.type(), r.mode(), r.owner(), r.size(), r.linkCount(),
                r.mtimeMillis(), r.ctimeMillis(), r.dataVersion(), r.versionVector(), r.blobId(), r.blobLength(),
                r.symlinkTarget(), r.parent(), entries);
    }

    /**
     * The steps with every {@link PlanStep.Install} of a directory whose entries cost more than {@code pieceBytes}
     * cut into consecutive Installs of its pieces ({@link #inPieces}), so that each step fits a message of its own.
     */
    public static List<PlanStep> installsInPieces(List<PlanStep> steps, int pieceBytes) {
        List<PlanStep> out = new ArrayList<>(steps.size());
        for (PlanStep step : steps) {
            if (step instanceof PlanStep.Install install && !install.image().entries().isEmpty()) {
                inPieces(install.image(), pieceBytes)
                        .forEach(piece -> out.add(new PlanStep.Install(install.fromReplica(), piece)));
            } else {
                out.add(step);
            }
        }
        return out;
    }

    /** Consecutive Installs of the same vnode joined into one (the inverse of {@link #installsInPieces}). */
    public static List<PlanStep> joinInstallPieces(List<PlanStep> steps) {
        List<PlanStep> out = new ArrayList<>(steps.size());
        for (PlanStep step : steps) {
            if (step instanceof PlanStep.Install next && !out.isEmpty()
                    && out.get(out.size() - 1) instanceof PlanStep.Install last
                    && last.image().vnode() == next.image().vnode()) {
                List<EntryRecord> entries = new ArrayList<>(last.image().entries());
                entries.addAll(next.image().entries());
                out.set(out.size() - 1, new PlanStep.Install(last.fromReplica(), withEntries(last.image(), entries)));
            } else {
                out.add(step);
            }
        }
        return out;
    }
}
