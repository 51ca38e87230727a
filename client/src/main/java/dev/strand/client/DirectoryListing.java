package dev.strand.client;

import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The entries of a directory, read one READDIR page (at most {@link #PAGE_SIZE} entries) at a time, so a
 * directory of any size is listed in bounded memory. Listing a file yields the file itself, as ls does.
 * Not for concurrent use: ask for the next page once the previous one has arrived.
 */
public final class DirectoryListing {

    /** Entries per page: the most the server returns in one READDIR reply. */
    public static final int PAGE_SIZE = ProtocolLimits.MAX_READDIR_ENTRIES;

    private final StrandConnection connection;
    private final String path;
    private final Attr attr;
    private final Fid dir;
    private final boolean withAttrs;
    private List<DirEntry> fixedEntries;
    private String after;
    private boolean exhausted;

    private DirectoryListing(StrandConnection connection, String path, Attr attr, Fid dir, boolean withAttrs,
                             List<DirEntry> fixedEntries) {
        this.connection = connection;
        this.path = path;
        this.attr = attr;
        this.dir = dir;
        this.withAttrs = withAttrs;
        this.fixedEntries = fixedEntries;
    }

    static DirectoryListing ofDirectory(StrandConnection connection, String path, Attr attr, boolean withAttrs) {
        return new DirectoryListing(connection, path, attr, attr.fid(), withAttrs, null);
    }

    /** A listing whose entries are known already: a single file, or the volumes under "/". */
    static DirectoryListing ofEntries(String path, Attr attr, List<DirEntry> entries) {
        return new DirectoryListing(null, path, attr, null, false, List.copyOf(entries));
    }

    /** The path that was listed, after following symbolic links. */
    public String path() {
        return path;
    }

    /** The attributes of what was listed (a synthetic directory for "/"). */
    public Attr attr() {
        return attr;
    }

    /** True while {@link #nextPage()} may return more entries. */
    public synchronized boolean hasMore() {
        return !exhausted;
    }

    /** The next entries in name order; an empty list once the listing is exhausted. */
    public synchronized CompletableFuture<List<DirEntry>> nextPage() {
        if (exhausted) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (fixedEntries != null) {
            List<DirEntry> entries = fixedEntries;
            fixedEntries = null;
            exhausted = true;
            return CompletableFuture.completedFuture(entries);
        }
        return connection.<ReadDirReply>call(new ReadDir(dir, after, PAGE_SIZE, withAttrs)).thenApply(this::accept);
    }

    private synchronized List<DirEntry> accept(ReadDirReply reply) {
        List<DirEntry> entries = reply.entries() == null ? List.of() : reply.entries();
        if (reply.eof() || entries.isEmpty()) {
            exhausted = true;
        } else {
            after = entries.get(entries.size() - 1).name();
        }
        return entries;
    }
}
