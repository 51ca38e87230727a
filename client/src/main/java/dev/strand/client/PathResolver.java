package dev.strand.client;

import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves a path to what it names. A path is resolved with the volume's root (cached by {@link Volumes}) and one
 * WALK for the rest. When the walk stops at a symbolic link, the resolver reads it and resolves again from the
 * link's directory (a relative target) or from "/" (an absolute one), at most {@link StrandClient#MAX_SYMLINKS}
 * times. ".." is resolved lexically ({@link StrandPath}).
 */
final class PathResolver {

    private final StrandConnection connection;
    private final Volumes volumes;

    PathResolver(StrandConnection connection, Volumes volumes) {
        this.connection = connection;
        this.volumes = volumes;
    }

    /** What a path resolved to: the path after following links, and the object's attributes. */
    record Located(StrandPath path, Attr attr) {}

    /** A name in a directory, for operations that make or replace one. */
    record Destination(Fid dir, String name) {}

    CompletableFuture<Located> locate(StrandPath path, boolean followFinalLink) {
        return locate(path, followFinalLink, 0);
    }

    private CompletableFuture<Located> locate(StrandPath path, boolean followFinalLink, int linksFollowed) {
        if (path.isRoot()) {
            return volumes.list().thenApply(found -> new Located(path, rootAttr(found.size())));
        }
        String volume = path.volume();
        return volumes.root(volume).thenCompose(root -> {
            List<String> names = path.names();
            if (names.isEmpty()) {
                return volumes.forgetOnFailure(volume, connection.<Attr>call(new GetAttr(root)))
                        .thenApply(attr -> new Located(path, attr));
            }
            return volumes.forgetOnFailure(volume, connection.<WalkReply>call(new Walk(root, names))).thenCompose(walk -> {
                int consumed = walk.consumed();
                Attr attr = walk.attr();
                boolean walkedAll = consumed >= names.size();
                boolean follow = followFinalLink || path.trailingSlash();
                if (attr.type() != FileType.SYMLINK || (walkedAll && !follow)) {
                    if (!walkedAll) {
                        throw new NotADirectoryException(path.prefix(1 + consumed) + " is not a directory");
                    }
                    return CompletableFuture.completedFuture(new Located(path, attr));
                }
                if (linksFollowed >= StrandClient.MAX_SYMLINKS) {
                    throw new InvalidArgumentException(path + ": too many levels of symbolic links");
                }
                StrandPath link = path.prefix(1 + consumed);
                List<String> rest = names.subList(consumed, names.size());
                return connection.<ReadLinkReply>call(new ReadLink(attr.fid())).thenCompose(reply -> {
                    StrandPath next = link.parent().resolve(reply.target()).append(rest);
                    if (path.trailingSlash()) {
                        next = next.withTrailingSlash();
                    }
                    return locate(next, followFinalLink, linksFollowed + 1);
                });
            });
        });
    }

    /** The directory that holds a path's last name, following links on the way. */
    CompletableFuture<Located> locateParent(StrandPath path) {
        requireEntry(path, "use");
        StrandPath parent = path.parent();
        return locate(parent, true).thenApply(found -> {
            if (found.attr().type() != FileType.DIRECTORY) {
                throw new NotADirectoryException(found.path() + " is not a directory");
            }
            return found;
        });
    }

    /** Where a moved or linked name lands: into {@code path} if it is a directory, else at {@code path}. */
    CompletableFuture<Destination> destination(StrandPath path, String nameIfDirectory) {
        return locate(path, true).handle((found, error) -> {
            if (error == null && found.attr().type() == FileType.DIRECTORY) {
                return CompletableFuture.completedFuture(new Destination(requireObject(found).fid(), nameIfDirectory));
            }
            if (error != null && !(Futures.unwrap(error) instanceof NotFoundException)) {
                return CompletableFuture.<Destination>failedFuture(Futures.unwrap(error));
            }
            return locateParent(path).thenApply(dir -> new Destination(dir.attr().fid(), path.name()));
        }).thenCompose(f -> f);
    }

    /**
     * The fid of the regular file to change in place (truncate): the file the path names (through links), a new
     * file in the directory it names ({@code nameIfDirectory}, when given), or a new file at the path.
     */
    CompletableFuture<Fid> writableFile(StrandPath path, String nameIfDirectory, int mode) {
        return locate(path, true).handle((found, error) -> {
            if (error == null) {
                Attr attr = requireObject(found);
                if (attr.type() == FileType.FILE) {
                    return CompletableFuture.completedFuture(attr.fid());
                }
                if (nameIfDirectory == null) {
                    return CompletableFuture.<Fid>failedFuture(new IsADirectoryException(found.path() + " is a directory"));
                }
                return connection.<Attr>call(new Create(attr.fid(), nameIfDirectory, mode, false)).thenApply(Attr::fid);
            }
            if (!(Futures.unwrap(error) instanceof NotFoundException)) {
                return CompletableFuture.<Fid>failedFuture(Futures.unwrap(error));
            }
            return locateParent(path).thenCompose(dir ->
                    connection.<Attr>call(new Create(dir.attr().fid(), path.name(), mode, false))).thenApply(Attr::fid);
        }).thenCompose(f -> f);
    }

    CompletableFuture<Attr> locateFile(StrandPath path) {
        return locate(path, true).thenApply(found -> {
            Attr attr = requireObject(found);
            if (attr.type() == FileType.DIRECTORY) {
                throw new IsADirectoryException(found.path() + " is a directory");
            }
            return attr;
        });
    }

    /** One name in a directory, without following it. */
    CompletableFuture<Attr> lookup(Fid dir, String name) {
        return connection.<WalkReply>call(new Walk(dir, List.of(name))).thenApply(WalkReply::attr);
    }

    /** "/" is not a vnode: it is shown as a read-only directory holding the volumes. */
    static Attr rootAttr(int volumes) {
        return new Attr(null, FileType.DIRECTORY, 0555, 0, 2 + volumes, "root", 0, 0, 0, List.of());
    }

    static Attr requireObject(Located found) {
        if (found.path().isRoot()) {
            throw new InvalidArgumentException("/ is the list of volumes, not a directory of a volume");
        }
        return found.attr();
    }

    static void requireEntry(StrandPath path, String action) {
        if (path.isRoot()) {
            throw new InvalidArgumentException("cannot " + action + " /: it is the list of volumes");
        }
        if (path.isVolumeRoot()) {
            throw new InvalidArgumentException("cannot " + action + " " + path
                    + ": it is the root of volume " + path.volume());
        }
    }
}
