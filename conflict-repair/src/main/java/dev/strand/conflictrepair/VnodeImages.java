package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
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
        piecesFrom(volume, numbers, pieceBytes, 0).forEachRemaining(pieces::add);
        return pieces;
    }

    /**
     * The pieces of {@link #collectInPieces} from position {@code skip} on, each made when it is taken: a reader
     * paging through them has only the page it reads made, not every piece before it again (a vnode before
     * {@code skip} costs a lookup; a directory's earlier slices are listed, not copied into records).
     */
    public static Iterator<VnodeRecord> piecesFrom(Volume volume, Collection<Long> numbers, int pieceBytes,
                                                   int skip) {
        Iterator<Vnode> vnodes = wanted(volume, numbers).iterator();
        return new Iterator<>() {
            private int position;
            private Vnode directory; // the directory being sliced, or null
            private String after; // its last entry so far
            private VnodeRecord next = advance();

            /** The piece at {@code position} (moving past those before {@code skip}), or null after the last. */
            private VnodeRecord advance() {
                while (true) {
                    if (directory != null) {
                        VnodeSync.Entries slice = VnodeSync.entries(directory, after, pieceBytes);
                        Vnode dir = directory;
                        if (slice.last() || slice.entries().isEmpty()) {
                            directory = null;
                        } else {
                            after = slice.entries().get(slice.entries().size() - 1).name();
                        }
                        if (position++ >= skip) {
                            return dir.toRecord(slice.entries());
                        }
                        continue;
                    }
                    if (!vnodes.hasNext()) {
                        return null;
                    }
                    Vnode v = vnodes.next();
                    if (v.isDirectory()) { // each directory's entries are listed once, slice by slice
                        directory = v;
                        after = null;
                    } else if (position++ >= skip) {
                        return v.toRecord(List.of());
                    }
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public VnodeRecord next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                VnodeRecord piece = next;
                next = advance();
                return piece;
            }
        };
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
        PlanStep.Install first = null; // the first piece of the Install being joined, its entries so far
        List<EntryRecord> entries = null;
        for (PlanStep step : steps) {
            if (step instanceof PlanStep.Install next && first != null
                    && first.image().vnode() == next.image().vnode()) {
                entries.addAll(next.image().entries()); // each entry copied once, however many pieces
                continue;
            }
            if (first != null) {
                out.add(joined(first, entries));
                first = null;
            }
            if (step instanceof PlanStep.Install install) {
                first = install;
                entries = new ArrayList<>(install.image().entries());
            } else {
                out.add(step);
            }
        }
        if (first != null) {
            out.add(joined(first, entries));
        }
        return out;
    }

    private static PlanStep.Install joined(PlanStep.Install first, List<EntryRecord> entries) {
        return entries.size() == first.image().entries().size() ? first
                : new PlanStep.Install(first.fromReplica(), withEntries(first.image(), entries));
    }
}
