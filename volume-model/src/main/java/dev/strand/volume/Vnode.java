package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
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

    private final long number;
    private final long unique;
    private final FileType type;
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
    private long blobLength;

    // symbolic links
    private String symlinkTarget;

    // directories: the parent (the root is its own parent) and the entries, by name
    private long parent;
    private final TreeMap<String, DirectoryEntry> entries;

    private Vnode(long number, long unique, FileType type, int mode, String owner, long timeMillis,
                  VnodeVersion version) {
        this.number = number;
        this.unique = unique;
        this.type = type;
        this.mode = mode;
        this.owner = owner;
        this.mtimeMillis = timeMillis;
        this.ctimeMillis = timeMillis;
        this.dataVersion = version.dataVersion();
        this.versionVector = version.versionVector();
        this.entries = type == FileType.DIRECTORY ? new TreeMap<>(dev.strand.protocol.Names.ENTRY_ORDER) : null;
    }

    static Vnode newFile(Fid fid, int mode, String owner, long timeMillis, VnodeVersion version) {
        Vnode file = new Vnode(fid.vnode(), fid.unique(), FileType.FILE, mode, owner, timeMillis, version);
        file.linkCount = 1;
        return file;
    }

    static Vnode newDirectory(Fid fid, long parent, int mode, String owner, long timeMillis, VnodeVersion version) {
        Vnode dir = new Vnode(fid.vnode(), fid.unique(), FileType.DIRECTORY, mode, owner, timeMillis, version);
        dir.parent = parent;
        dir.linkCount = 2; // its name in the parent, and its own "."
        return dir;
    }

    static Vnode newSymlink(Fid fid, String target, String owner, long timeMillis, VnodeVersion version) {
        Vnode link = new Vnode(fid.vnode(), fid.unique(), FileType.SYMLINK, 0777, owner, timeMillis, version);
        link.symlinkTarget = target;
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
        v.blobId = r.blobId();
        v.blobLength = r.blobLength();
        v.symlinkTarget = r.symlinkTarget();
        v.parent = r.parent();
        if (v.entries != null && r.entries() != null) {
            for (VolumeSnapshot.EntryRecord e : r.entries()) {
                v.entries.put(e.name(), new DirectoryEntry(e.vnode(), e.unique(), e.type()));
            }
        }
        return v;
    }

    // ---- reading ----------------------------------------------------------------------------

    public long number() {
        return number;
    }

    public long unique() {
        return unique;
    }

    public FileType type() {
        return type;
    }

    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
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
        return blobLength;
    }

    public String symlinkTarget() {
        return symlinkTarget;
    }

    /** The parent directory's vnode number (directories only; the root's parent is itself). */
    public long parent() {
        return parent;
    }

    /** The entry named {@code name}, or null (directories only). */
    public DirectoryEntry entry(String name) {
        return entries.get(name);
    }

    /** The entries in name order, read-only (directories only). */
    public NavigableMap<String, DirectoryEntry> entries() {
        return Collections.unmodifiableNavigableMap(entries);
    }

    public boolean hasEntries() {
        return !entries.isEmpty();
    }

    /** This vnode as a snapshot (and catch-up) record, with the given entries. */
    public VolumeSnapshot.VnodeRecord toRecord(List<VolumeSnapshot.EntryRecord> withEntries) {
        return new VolumeSnapshot.VnodeRecord(number, unique, type, mode, owner, size, linkCount, mtimeMillis,
                ctimeMillis, dataVersion, versionVector, blobId, blobLength, symlinkTarget, parent, withEntries);
    }

    /** A directory's entries as records, in name order (empty for anything else). */
    public List<VolumeSnapshot.EntryRecord> entryRecords() {
        if (entries == null) {
            return List.of();
        }
        List<VolumeSnapshot.EntryRecord> records = new java.util.ArrayList<>(entries.size());
        entries.forEach((name, d) -> records.add(new VolumeSnapshot.EntryRecord(name, d.vnode(), d.unique(), d.type())));
        return records;
    }

    public DirectoryEntry asEntry() {
        return new DirectoryEntry(number, unique, type);
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

    void setMode(int mode) {
        this.mode = mode;
    }

    void setMtime(long mtimeMillis) {
        this.mtimeMillis = mtimeMillis;
    }

    /** Truncates or extends: shrinking cuts the stored contents, growing only adds zeros to read. */
    void resize(long newSize) {
        size = newSize;
        blobLength = Math.min(blobLength, newSize);
    }

    void setContents(UUID blobId, long length) {
        this.blobId = blobId;
        this.blobLength = length;
        this.size = length;
    }

    /** The file keeps its size but has no stored contents: it reads as zeros. */
    void dropContents() {
        this.blobId = null;
        this.blobLength = 0;
    }

    void addLink() {
        linkCount++;
    }

    void dropLink() {
        linkCount--;
    }

    void setParent(long parent) {
        this.parent = parent;
    }

    void putEntry(String name, DirectoryEntry entry) {
        entries.put(name, entry);
    }

    void removeEntry(String name) {
        entries.remove(name);
    }
}
