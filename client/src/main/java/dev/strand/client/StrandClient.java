package dev.strand.client;

import dev.strand.protocol.Names;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.error.ChangedException;
import dev.strand.protocol.error.CrossVolumeException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NotASymlinkException;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Symlink;
import dev.strand.protocol.message.ConflictInfo;
import dev.strand.protocol.message.RepairShowReply;
import dev.strand.protocol.message.Validate;
import dev.strand.protocol.message.ValidateReply;
import dev.strand.protocol.message.RepairCheckReply;
import dev.strand.protocol.message.VolumeInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The asynchronous, path-based Strand client. Paths are {@code /<volume>/<path>}; "/" lists the volumes.
 *
 * <p>A path is resolved with the volume's root (cached after the first VOLUME_INFO) and one WALK for the rest.
 * When the walk stops at a symbolic link, the client reads it and resolves again from the link's directory (a
 * relative target) or from "/" (an absolute one), at most {@link #MAX_SYMLINKS} times ({@link PathResolver}).
 * ".." is resolved lexically. Operations that act on a name ({@code rm}, {@code mv}, {@code stat}, ...) do not follow a final
 * symbolic link; those that act on contents ({@code cat}, {@code get}, {@code put}, {@code chmod}) do.
 *
 * <p>Every method returns a future; failures are the {@link dev.strand.protocol.StrandException} subclass of
 * the status, or a local {@link IOException} for local files.
 *
 * <p>This class is the client's face; the work is done by {@link Volumes} (volume operations, the roots cache),
 * {@link PathResolver}, {@link Downloads} (cat, get), {@link AtomicWrite} (put, write) with {@link LocalFileWrite}
 * (put's local file), {@link Subtrees} (mkdir -p, rm -r) and {@link Repairs} (conflicts and their repair).
 */
public final class StrandClient implements AutoCloseable {

    /** Most symbolic links followed while resolving one path (as Linux's MAXSYMLINKS). */
    public static final int MAX_SYMLINKS = 40;
    public static final int DEFAULT_DIRECTORY_MODE = 0755;
    public static final int DEFAULT_FILE_MODE = 0644;

    private final StrandConnection connection;
    private final Volumes volumes;
    private final PathResolver resolver;
    private final Downloads downloads;
    private final AtomicWrite atomicWrite;
    private final LocalFileWrite localFileWrite;
    private final Repairs repairs;
    private final Subtrees subtrees;

    public StrandClient(StrandConnection connection) {
        this.connection = connection;
        this.volumes = new Volumes(connection);
        this.resolver = new PathResolver(connection, volumes);
        this.downloads = new Downloads(connection, resolver);
        this.atomicWrite = new AtomicWrite(resolver, connection);
        this.localFileWrite = new LocalFileWrite(atomicWrite);
        this.repairs = new Repairs(connection, resolver);
        this.subtrees = new Subtrees(connection, resolver);
    }

    /** Connects and greets; see {@link StrandConnection#connect}. */
    public static StrandClient connect(ClientSettings settings) {
        return new StrandClient(StrandConnection.connect(settings));
    }

    public StrandConnection connection() {
        return connection;
    }

    public HelloReply helloReply() {
        return connection.helloReply();
    }

    @Override
    public void close() {
        connection.close();
    }

    // ---- volumes --------------------------------------------------------------------------------

    public CompletableFuture<VolumeInfo> volumeCreate(String name, int replicas) {
        return attempt(() -> volumes.create(name, replicas, null));
    }

    /**
     * A volume of {@code replicas} replicas (1..5) whose mutations need {@code minReplicas} of them
     * ("1", the default when null, or "majority").
     */
    public CompletableFuture<VolumeInfo> volumeCreate(String name, int replicas, String minReplicas) {
        return attempt(() -> volumes.create(name, replicas, minReplicas));
    }

    /** All volumes in name order (read page by page, however many there are). */
    public CompletableFuture<List<VolumeInfo>> volumeList() {
        return volumes.list();
    }

    public CompletableFuture<VolumeInfo> volumeInfo(String name) {
        return attempt(() -> volumes.info(name));
    }

    /**
     * REPAIR_CHECK: the volume's coordinator compares its replicas' volume vectors now and starts what they need
     * (catch-up, resolution); every replica's state and vector after the check, and what it started.
     */
    public CompletableFuture<RepairCheckReply> repairCheck(String volume) {
        return attempt(() -> repairs.check(volume));
    }

    // ---- reading --------------------------------------------------------------------------------

    /** The attributes of what the path names; a final symbolic link is shown itself, as lstat does. */
    public CompletableFuture<Attr> stat(String path) {
        return stat(path, false);
    }

    public CompletableFuture<Attr> stat(String path, boolean followFinalLink) {
        return attempt(() -> locate(StrandPath.parse(path), followFinalLink).thenApply(PathResolver.Located::attr));
    }

    /**
     * VALIDATE: every available replica's version of what the path names (a final symbolic link itself),
     * and whether they agree.
     */
    public CompletableFuture<ValidateReply> validate(String path) {
        return attempt(() -> locate(StrandPath.parse(path), false).thenCompose(found ->
                connection.<ValidateReply>call(new Validate(found.attr().fid()))));
    }

    // ---- conflicts and their repair -------------------------------------------------------------------

    /** REPAIR_LIST: every conflict of a volume, page by page until the server says no more follow. */
    public CompletableFuture<List<ConflictInfo>> repairList(String volume) {
        return attempt(() -> repairs.list(volume));
    }

    /**
     * REPAIR_SHOW: every replica's version of what the path names (looked up on each replica: the name may be bound
     * to a different object on each), and the conflicts it is in.
     */
    public CompletableFuture<RepairShowReply> repairShow(String path) {
        return attempt(() -> repairs.show(StrandPath.parse(path)));
    }

    /**
     * REPAIR_FILE: replica {@code keep}'s version of the file in conflict becomes every replica's. Fails with
     * UNAVAILABLE (naming the replica) and changes nothing if a replica does not answer.
     */
    public CompletableFuture<Attr> repairFile(String path, int keep) {
        return attempt(() -> repairs.file(StrandPath.parse(path), keep));
    }

    /**
     * REPAIR_DIR: for each name of the directory {@code path} in a conflict over names (NAME_NAME, REMOVE_UPDATE,
     * RENAME_RENAME, an UPDATE_UPDATE naming names), the object replica {@code keep.get(name)} binds it to (or none)
     * becomes every replica's binding (and the names its conflicts moved it to, in another directory too); the other
     * replicas' objects bound to it are removed or, with {@code renameOthers}, kept as {@code NAME.conflict-r<replica>}.
     * Fails with UNAVAILABLE (naming the replica) and changes nothing if a replica does not answer. The directory's
     * attributes after the repair.
     */
    public CompletableFuture<Attr> repairDir(String path, Map<String, Integer> keep, boolean renameOthers) {
        return attempt(() -> repairs.dir(StrandPath.parse(path), keep, renameOthers));
    }

    /**
     * {@code repair file --from}: the file in conflict gets new contents, {@code local}'s, on every replica, with
     * replica {@code keep}'s attributes, in one visible step: the contents are stored to a temporary file beside it
     * first, then one REPAIR_FILE takes the file from its conflict to them (every replica must answer), and the
     * temporary file is removed. If anything fails, the file is still in conflict, unchanged. (A server that
     * predates it repairs to replica {@code keep}'s version; the client then stores the contents over it.)
     */
    public CompletableFuture<Attr> repairFileFrom(String path, Path local, int keep) {
        return attempt(() -> repairs.fileFrom(StrandPath.parse(path), local, keep, () -> put(local, path, null)));
    }

    /** The target of a symbolic link. */
    public CompletableFuture<String> readLink(String path) {
        return attempt(() -> locate(StrandPath.parse(path), false).thenCompose(found -> {
            if (found.attr().type() != FileType.SYMLINK) {
                throw new NotASymlinkException(found.path() + " is not a symbolic link");
            }
            return connection.<ReadLinkReply>call(new ReadLink(found.attr().fid())).thenApply(ReadLinkReply::target);
        }));
    }

    /**
     * Lists a directory page by page (with attributes if asked); a file lists as itself; "/" lists the volumes.
     * {@code followFinalLink}: whether a final symbolic link to a directory lists the directory (ls without -l)
     * or the link itself (ls -l). A trailing '/' always follows.
     */
    public CompletableFuture<DirectoryListing> list(String path, boolean followFinalLink, boolean withAttrs) {
        return attempt(() -> {
            StrandPath p = StrandPath.parse(path);
            if (p.isRoot()) {
                return listVolumes(withAttrs);
            }
            return locate(p, followFinalLink).thenApply(found -> {
                Attr attr = found.attr();
                if (attr.type() == FileType.DIRECTORY) {
                    return DirectoryListing.ofDirectory(connection, found.path().toString(), attr, withAttrs);
                }
                DirEntry self = new DirEntry(p.name(), attr.fid(), attr.type(), attr);
                return DirectoryListing.ofEntries(found.path().toString(), attr, List.of(self));
            });
        });
    }

    private CompletableFuture<DirectoryListing> listVolumes(boolean withAttrs) {
        return volumes.list().thenCompose(all -> {
            List<CompletableFuture<DirEntry>> entries = new ArrayList<>();
            for (VolumeInfo v : all) {
                Fid root = Volumes.rootOf(v);
                entries.add(withAttrs
                        ? connection.<Attr>call(new GetAttr(root)).thenApply(a -> new DirEntry(v.name(), root, FileType.DIRECTORY, a))
                        : CompletableFuture.completedFuture(new DirEntry(v.name(), root, FileType.DIRECTORY, null)));
            }
            return Futures.allOf(entries).thenApply(list ->
                    DirectoryListing.ofEntries("/", PathResolver.rootAttr(all.size()), list));
        });
    }

    /**
     * Writes a file's contents to {@code out} (following symbolic links); {@code progress} may be null. The
     * bytes all come from the version the path named when the fetch began: if the file changes before the
     * first byte arrives it is looked up and fetched again; if it changes after bytes went to {@code out}
     * (which cannot take them back) while a lost connection is resumed, this fails with
     * {@link ChangedException}.
     */
    public CompletableFuture<FetchReply> cat(String path, OutputStream out, LongConsumer progress) {
        return attempt(() -> downloads.cat(StrandPath.parse(path), out, progress, 1));
    }

    /**
     * Copies a remote file to a local one (into it, if {@code local} is a directory). The bytes go to a
     * temporary file beside the target that replaces the target only once complete.
     */
    public CompletableFuture<FetchReply> get(String remote, Path local, LongConsumer progress) {
        return attempt(() -> downloads.get(StrandPath.parse(remote), local, progress));
    }

    // ---- writing --------------------------------------------------------------------------------

    /**
     * Creates or replaces a remote file with a local file's contents, all or nothing ({@link AtomicWrite}). If
     * {@code remote} is a directory the file goes into it under its local name. A new file gets the local file's
     * permission bits. Fails with {@link OutcomeUnknownException} only if no server would say whether the file
     * was replaced.
     */
    public CompletableFuture<Attr> put(Path local, String remote, LongConsumer progress) {
        return attempt(() -> localFileWrite.put(local, StrandPath.parse(remote), progress));
    }

    /**
     * Creates or replaces a remote file with {@code length} bytes from {@code source} (-1: until its end), all or
     * nothing ({@link AtomicWrite}). Nothing is held in memory in proportion to the length.
     */
    public CompletableFuture<Attr> write(String remote, long length, ReadableByteChannel source, LongConsumer progress) {
        return attempt(() -> atomicWrite.write(StrandPath.parse(remote), null, DEFAULT_FILE_MODE, length, source,
                progress));
    }

    /** Creates an empty file; without {@code exclusive} an existing file is returned as it is. */
    public CompletableFuture<Attr> createFile(String path, int mode, boolean exclusive) {
        return attempt(() -> {
            Names.checkMode(mode);
            StrandPath p = StrandPath.parse(path);
            return locateParent(p).thenCompose(dir ->
                    connection.<Attr>call(new Create(dir.attr().fid(), p.name(), mode, exclusive)));
        });
    }

    public CompletableFuture<Attr> mkdir(String path) {
        return mkdir(path, DEFAULT_DIRECTORY_MODE);
    }

    public CompletableFuture<Attr> mkdir(String path, int mode) {
        return attempt(() -> {
            Names.checkMode(mode);
            StrandPath p = StrandPath.parse(path);
            return locateParent(p).thenCompose(dir ->
                    connection.<Attr>call(new MkDir(dir.attr().fid(), p.name(), mode)));
        });
    }

    /** Creates a directory and any missing parents (mkdir -p); an existing directory is fine. */
    public CompletableFuture<Attr> mkdirs(String path) {
        return mkdirs(path, DEFAULT_DIRECTORY_MODE);
    }

    public CompletableFuture<Attr> mkdirs(String path, int mode) {
        return attempt(() -> {
            Names.checkMode(mode);
            return subtrees.mkdirs(StrandPath.parse(path).withoutTrailingSlash(), mode);
        });
    }

    /**
     * Moves {@code source} (the name itself, not what a symbolic link points to) to {@code target}, replacing a
     * compatible target as rename(2) does; if {@code target} is a directory, into it under the same name.
     */
    public CompletableFuture<Void> mv(String source, String target) {
        return attempt(() -> {
            StrandPath from = StrandPath.parse(source);
            StrandPath to = StrandPath.parse(target);
            PathResolver.requireEntry(from, "move");
            return locateParent(from).thenCompose(fromDir -> resolver.destination(to, from.name()).thenCompose(dest -> {
                Fid fromFid = fromDir.attr().fid();
                if (fromFid.volume() != dest.dir().volume()) {
                    throw new CrossVolumeException("cannot move " + from + " to " + to + ": they are on different volumes");
                }
                return connection.<Empty>call(new Rename(fromFid, from.name(), dest.dir(), dest.name()))
                        .thenApply(e -> (Void) null);
            }));
        });
    }

    /** Removes a name that is not a directory (a symbolic link itself, not its target). */
    public CompletableFuture<Void> rm(String path) {
        return attempt(() -> {
            StrandPath p = StrandPath.parse(path);
            PathResolver.requireEntry(p, "remove");
            return locateParent(p).thenCompose(dir ->
                    connection.<Empty>call(new Remove(dir.attr().fid(), p.name()))).thenApply(e -> (Void) null);
        });
    }

    /** Removes an empty directory. */
    public CompletableFuture<Void> rmdir(String path) {
        return attempt(() -> {
            StrandPath p = StrandPath.parse(path);
            PathResolver.requireEntry(p, "remove");
            return locateParent(p).thenCompose(dir ->
                    connection.<Empty>call(new RmDir(dir.attr().fid(), p.name()))).thenApply(e -> (Void) null);
        });
    }

    /**
     * Removes a name and, if it is a directory, everything below it (rm -r), depth first, reading each
     * directory a page at a time. Symbolic links are removed, never followed. Stops at the first failure.
     */
    public CompletableFuture<Void> rmRecursive(String path) {
        return attempt(() -> subtrees.removeRecursive(StrandPath.parse(path)));
    }

    /** Creates a symbolic link at {@code linkPath} whose target is {@code target} (stored as given). */
    public CompletableFuture<Attr> symlink(String target, String linkPath) {
        return attempt(() -> {
            Names.checkSymlinkTarget(target);
            StrandPath p = StrandPath.parse(linkPath);
            return locateParent(p).thenCompose(dir ->
                    connection.<Attr>call(new Symlink(dir.attr().fid(), p.name(), target)));
        });
    }

    /**
     * Makes {@code newPath} another name (hard link) for the non-directory {@code existing} (a symbolic link
     * itself, not its target); if {@code newPath} is a directory, the link goes into it under the same name.
     */
    public CompletableFuture<Attr> link(String existing, String newPath) {
        return attempt(() -> {
            StrandPath from = StrandPath.parse(existing);
            StrandPath to = StrandPath.parse(newPath);
            PathResolver.requireEntry(from, "link");
            return locate(from, false).thenCompose(source -> resolver.destination(to, from.name()).thenCompose(dest ->
                    connection.<Attr>call(new Link(dest.dir(), dest.name(), source.attr().fid()))));
        });
    }

    /** Sets the permission bits (following symbolic links). */
    public CompletableFuture<Attr> chmod(String path, int mode) {
        return attempt(() -> {
            Names.checkMode(mode);
            return locate(StrandPath.parse(path), true).thenCompose(found ->
                    connection.<Attr>call(new SetAttr(PathResolver.requireObject(found).fid(), mode, null, null)));
        });
    }

    /** Sets a file's length, creating it if missing (as truncate -s does). */
    public CompletableFuture<Attr> truncate(String path, long size) {
        return attempt(() -> {
            if (size < 0) {
                throw new InvalidArgumentException("negative size " + size);
            }
            return resolver.writableFile(StrandPath.parse(path), null, DEFAULT_FILE_MODE).thenCompose(fid ->
                    connection.<Attr>call(new SetAttr(fid, null, size, null)));
        });
    }

    // ---- path resolution (PathResolver) ----------------------------------------------------------

    private CompletableFuture<PathResolver.Located> locate(StrandPath path, boolean followFinalLink) {
        return resolver.locate(path, followFinalLink);
    }

    private CompletableFuture<PathResolver.Located> locateParent(StrandPath path) {
        return resolver.locateParent(path);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> body) {
        return Futures.attempt(body);
    }

    /** The failure inside the wrappers that futures add. */
    public static Throwable unwrap(Throwable t) {
        return Futures.unwrap(t);
    }
}
