package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One file, directory or symbolic link of a volume: the whole object in one place, found with one map
 * lookup by vnode number (Coda needed three pointer hops). A directory's entries are a sorted map, so a
 * name lookup is a map lookup and READDIR pages in name order.
 *
 * <p>Mutable for speed, but changed only by {@link Volume#apply}, the event handler; everything that
 * leaves the replica is an immutable copy ({@link Volume#attr}, {@link Volume#toSnapshot}).
 */
public final class Vnode {

    /** Most names that may refer to one vnode (a directory counts "." and each child's ".."), as ext4. */
    public static final int MAX_LINK_COUNT = 65_000;

    /**
     * Its number, uniquifier and type, as the entry that names it in its directory: the directory holds this very
     * instance (one object, not two, per file; see VolumeHeapBench).
     */
    private final DirectoryEntry identity;
    private int mode;
    private String owner;
    private long size;
    private int linkCount;
    private long mtimeMillis;
    private long ctimeMillis;
    private long dataVersion;
    private VersionVector versionVector;

    // regular files: the blob holding the contents; bytes in [blobLength, size) read as zeros
    private UUID blobId;

    // What only one type has shares two fields (heap per vnode, see VolumeHeapBench): the blob's length for a
    // regular file, the parent's number for a directory (the root is its own parent); the target of a symbolic
    // link, the entries by name of a directory.
    private long blobLengthOrParent;
    private Object targetOrEntries;

    private Vnode(long number, long unique, FileType type, int mode, String owner, long timeMillis,
                  VnodeVersion version) {
        this.identity = new DirectoryEntry(number, unique, type);
        this.mode = mode;
        this.owner = owner;
        this.mtimeMillis = timeMillis;
        this.ctimeMillis = timeMillis;
        this.dataVersion = version.dataVersion();
        this.versionVector = version.versionVector();
        this.targetOrEntries = type == FileType.DIRECTORY ? new TreeMap<String, DirectoryEntry>(
                dev.strand.protocol.Names.ENTRY_ORDER) : null;
    }

    static Vnode newFile(Fid fid, int mode, String owner, long timeMillis, VnodeVersion version) {
        Vnode file = new Vnode(fid.vnode(), fid.unique(), FileType.FILE, mode, owner, timeMillis, version);
        file.linkCount = 1;
        return file;
    }

    static Vnode newDirectory(Fid fid, long parent, int mode, String owner, long timeMillis, VnodeVersion version) {
        Vnode dir = new Vnode(fid.vnode(), fid.unique(), FileType.DIRECTORY, mode, owner, timeMillis, version);
        dir.blobLengthOrParent = parent;
        dir.linkCount = 2; // its name in the parent, and its own "."
        return dir;
    }

    static Vnode newSymlink(Fid fid, String target, String owner, long timeMillis, VnodeVersion version) {
        Vnode link = new Vnode(fid.vnode(), fid.unique(), FileType.SYMLINK, 0777, owner, timeMillis, version);
        link.targetOrEntries = target;
        link.size = target.getBytes(StandardCharsets.UTF_8).length;
        link.linkCount = 1;
        return link;
    }

    /** Rebuilds a vnode from a snapshot record. */
    static Vnode restore(VolumeSnapshot.VnodeRecord r) {
        Vnode v = new Vnode(r.vnode(), r.unique(), r.type(), r.mode(), r.owner(), r.mtimeMillis(),
                new VnodeVersion(r.dataVersion(), r.versionVector()));
        v.ctimeMillis = r.ctimeMillis();
        v.size = r.size();
        v.linkCount = r.linkCount();
        switch (r.type()) {
            case FILE -> {
                v.blobId = r.blobId();
                v.blobLengthOrParent = r.blobLength();
            }
            case SYMLINK -> v.targetOrEntries = r.symlinkTarget();
            case DIRECTORY -> {
                v.blobLengthOrParent = r.parent();
                if (r.entries() != null) {
                    for (VolumeSnapshot.EntryRecord e : r.entries()) {
                        v.entryMap().put(e.name(), new DirectoryEntry(e.vnode(), e.unique(), e.type()));
                    }
                }
            }
        }
        return v;
    }

    // ---- reading ----------------------------------------------------------------------------

    public long number() {
        return identity.vnode();
    }

    public long unique() {
        return identity.unique();
    }

    public FileType type() {
        return identity.type();
    }

    public boolean isDirectory() {
        return identity.type() == FileType.DIRECTORY;
    }

    public int mode() {
        return mode;
    }

    public String owner() {
        return owner;
    }

    public long size() {
        return size;
    }

    public int linkCount() {
        return linkCount;
    }

    public long mtimeMillis() {
        return mtimeMillis;
    }

    public long ctimeMillis() {
        return ctimeMillis;
    }

    public VnodeVersion version() {
        return new VnodeVersion(dataVersion, versionVector);
    }

    public UUID blobId() {
        return blobId;
    }

    public long blobLength() {
        return type() == FileType.FILE ? blobLengthOrParent : 0;
    }

    public String symlinkTarget() {
        return type() == FileType.SYMLINK ? (String) targetOrEntries : null;
    }

    /** The parent directory's vnode number (directories only; the root's parent is itself). */
    public long parent() {
        return type() == FileType.DIRECTORY ? blobLengthOrParent : 0;
    }

    /** The entry named {@code name}, or null (directories only). */
    public DirectoryEntry entry(String name) {
        return entryMap().get(name);
    }

    /** The entries in name order, read-only (directories only). */
    public NavigableMap<String, DirectoryEntry> entries() {
        return Collections.unmodifiableNavigableMap(entryMap());
    }

    public boolean hasEntries() {
        return !entryMap().isEmpty();
    }

    /** A directory's entries (a NullPointerException for anything else, as before the fields were shared). */
    @SuppressWarnings("unchecked")
    private TreeMap<String, DirectoryEntry> entryMap() {
        if (type() != FileType.DIRECTORY) {
            throw new NullPointerException("vnode " + number() + " is not a directory: it has no entries");
        }
        return (TreeMap<String, DirectoryEntry>) targetOrEntries;
    }

    /** This vnode as a snapshot (and catch-up) record, with the given entries. */
    public VolumeSnapshot.VnodeRecord toRecord(List<VolumeSnapshot.EntryRecord> withEntries) {
        return new VolumeSnapshot.VnodeRecord(number(), unique(), type(), mode, owner, size, linkCount, mtimeMillis,
                ctimeMillis, dataVersion, versionVector, blobId, blobLength(), symlinkTarget(), parent(), withEntries);
    }

    /** A directory's entries as records, in name order (empty for anything else). */
    public List<VolumeSnapshot.EntryRecord> entryRecords() {
        if (type() != FileType.DIRECTORY) {
            return List.of();
        }
        TreeMap<String, DirectoryEntry> entries = entryMap();
        List<VolumeSnapshot.EntryRecord> records = new java.util.ArrayList<>(entries.size());
        entries.forEach((name, d) -> records.add(new VolumeSnapshot.EntryRecord(name, d.vnode(), d.unique(), d.type())));
        return records;
    }

    /** The entry that names this vnode (an immutable record, the same instance every time). */
    public DirectoryEntry asEntry() {
        return identity;
    }

    // ---- changing: only the event handler in Volume calls these -------------------------------

    /** Records a change: new version and change time. */
    void stamp(VnodeVersion version, long timeMillis) {
        dataVersion = version.dataVersion();
        versionVector = version.versionVector();
        ctimeMillis = timeMillis;
    }

    /** COP2: another replica's slot went up; the times and the data version stay. */
    void setVersion(VnodeVersion version) {
        dataVersion = version.dataVersion();
        versionVector = version.versionVector();
    }

    /** Records a change of contents (or, for a directory, of entries): also the modification time. */
    void stampModified(VnodeVersion version, long timeMillis) {
        stamp(version, timeMillis);
        mtimeMillis = timeMillis;
    }

    /** The one instance of its vector and owner that the volume holds (equal values: nothing visible changes). */
    void share(SharedValues shared) {
        versionVector = shared.vector(versionVector);
        owner = shared.owner(owner);
    }

    void setMode(int mode) {
        this.mode = mode;
    }

    void setMtime(long mtimeMillis) {
        this.mtimeMillis = mtimeMillis;
    }

    /** Truncates or extends: shrinking cuts the stored contents, growing only adds zeros to read. */
    void resize(long newSize) {
        size = newSize;
        if (type() == FileType.FILE) {
            blobLengthOrParent = Math.min(blobLengthOrParent, newSize);
        }
    }

    void setContents(UUID blobId, long length) {
        this.blobId = blobId;
        this.blobLengthOrParent = length;
        this.size = length;
    }

    /** The file keeps its size but has no stored contents: it reads as zeros. */
    void dropContents() {
        this.blobId = null;
        this.blobLengthOrParent = 0;
    }

    void addLink() {
        linkCount++;
    }

    void dropLink() {
        linkCount--;
    }

    void setParent(long parent) {
        this.blobLengthOrParent = parent;
    }

    void putEntry(String name, DirectoryEntry entry) {
        entryMap().put(name, entry);
    }

    /**
     * Each entry equal to the identity of the vnode it names (looked up with {@code vnodes}) becomes that instance:
     * entries restored from records are objects of their own until then. Changes no value.
     */
    void shareEntries(java.util.function.LongFunction<Vnode> vnodes) {
        for (Map.Entry<String, DirectoryEntry> e : entryMap().entrySet()) {
            Vnode named = vnodes.apply(e.getValue().vnode());
            if (named != null && named.identity != e.getValue() && named.identity.equals(e.getValue())) {
                e.setValue(named.identity);
            }
        }
    }

    void removeEntry(String name) {
        entryMap().remove(name);
    }
}
