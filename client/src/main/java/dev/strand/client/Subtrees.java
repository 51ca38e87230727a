package dev.strand.client;

import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.RmDir;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Operations over more than one level of the tree: making a directory with its missing parents (mkdir -p) and
 * removing a directory with everything below it (rm -r).
 */
final class Subtrees {

    private final StrandConnection connection;
    private final PathResolver resolver;

    Subtrees(StrandConnection connection, PathResolver resolver) {
        this.connection = connection;
        this.resolver = resolver;
    }

    /** Creates a directory and any missing parents; an existing directory is fine. */
    CompletableFuture<Attr> mkdirs(StrandPath p, int mode) {
        return resolver.locate(p, true).handle((found, error) -> {
            if (error == null) {
                return existingDirectory(found);
            }
            Throwable cause = Futures.unwrap(error);
            if (!(cause instanceof NotFoundException) || p.depth() < 2) {
                return CompletableFuture.<Attr>failedFuture(cause);
            }
            return mkdirs(p.parent(), mode)
                    .thenCompose(parent -> connection.<Attr>call(new MkDir(parent.fid(), p.name(), mode)))
                    .exceptionallyCompose(e -> Futures.unwrap(e) instanceof ExistsException
                            ? resolver.locate(p, true).thenCompose(this::existingDirectory) // made concurrently: fine
                            : CompletableFuture.<Attr>failedFuture(Futures.unwrap(e)));
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Attr> existingDirectory(PathResolver.Located found) {
        if (found.attr().type() != FileType.DIRECTORY) {
            return CompletableFuture.failedFuture(new ExistsException(found.path() + " exists and is not a directory"));
        }
        return CompletableFuture.completedFuture(found.attr());
    }

    /**
     * Removes a name and, if it is a directory, everything below it, depth first, reading each directory a page
     * at a time. Symbolic links are removed, never followed. Stops at the first failure.
     */
    CompletableFuture<Void> removeRecursive(StrandPath p) {
        PathResolver.requireEntry(p, "remove");
        return resolver.locateParent(p).thenCompose(dir -> {
            Fid dirFid = dir.attr().fid();
            return resolver.lookup(dirFid, p.name()).thenCompose(attr -> {
                if (attr.type() != FileType.DIRECTORY) {
                    return connection.<Empty>call(new Remove(dirFid, p.name())).thenApply(e -> (Void) null);
                }
                return removeContents(attr.fid())
                        .thenCompose(v -> connection.<Empty>call(new RmDir(dirFid, p.name())))
                        .thenApply(e -> (Void) null);
            });
        });
    }

    private CompletableFuture<Void> removeContents(Fid dir) {
        return removePage(dir, null);
    }

    private CompletableFuture<Void> removePage(Fid dir, String after) {
        return connection.<ReadDirReply>call(new ReadDir(dir, after, DirectoryListing.PAGE_SIZE, false)).thenCompose(page -> {
            List<DirEntry> entries = page.entries() == null ? List.of() : page.entries();
            // subdirectories one after another (depth first); the page's other names all at once
            CompletableFuture<Void> directories = CompletableFuture.completedFuture(null);
            List<CompletableFuture<?>> removals = new ArrayList<>();
            for (DirEntry entry : entries) {
                if (entry.type() == FileType.DIRECTORY) {
                    directories = directories.thenCompose(v -> removeContents(entry.fid()))
                            .thenCompose(v -> connection.<Empty>call(new RmDir(dir, entry.name())))
                            .thenApply(e -> null);
                } else {
                    removals.add(connection.<Empty>call(new Remove(dir, entry.name())));
                }
            }
            removals.add(directories);
            CompletableFuture<Void> all = CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new));
            if (page.eof() || entries.isEmpty()) {
                return all;
            }
            String last = entries.get(entries.size() - 1).name();
            return all.thenCompose(v -> removePage(dir, last));
        });
    }
}
