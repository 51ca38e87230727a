package dev.strand.client;

import dev.strand.protocol.error.BadFrameException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.ConflictInfo;
import dev.strand.protocol.message.RepairCheck;
import dev.strand.protocol.message.RepairCheckReply;
import dev.strand.protocol.message.RepairDir;
import dev.strand.protocol.message.RepairFile;
import dev.strand.protocol.message.RepairList;
import dev.strand.protocol.message.RepairListReply;
import dev.strand.protocol.message.RepairShow;
import dev.strand.protocol.message.RepairShowReply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Conflicts and their repair (REPAIR_CHECK, REPAIR_LIST, REPAIR_SHOW, REPAIR_FILE, REPAIR_DIR): see the
 * {@link StrandClient} methods of the same names for what each means.
 */
final class Repairs {

    private final StrandConnection connection;
    private final PathResolver resolver;

    Repairs(StrandConnection connection, PathResolver resolver) {
        this.connection = connection;
        this.resolver = resolver;
    }

    CompletableFuture<RepairCheckReply> check(String volume) {
        return connection.call(new RepairCheck(volume));
    }

    /** Every conflict of a volume, page by page until the server says no more follow. */
    CompletableFuture<List<ConflictInfo>> list(String volume) {
        return listFrom(volume, 0, new ArrayList<>());
    }

    private CompletableFuture<List<ConflictInfo>> listFrom(String volume, int skip, List<ConflictInfo> found) {
        return connection.<RepairListReply>call(new RepairList(volume, skip, 0)).thenCompose(reply -> {
            List<ConflictInfo> page = reply.conflicts() == null ? List.of() : reply.conflicts();
            found.addAll(page);
            if (!reply.more()) {
                return CompletableFuture.completedFuture(List.copyOf(found));
            }
            if (page.isEmpty()) { // it would never end
                throw new BadFrameException("the server's page of conflicts after "
                        + skip + " says more follow but is empty");
            }
            return listFrom(volume, skip + page.size(), found);
        });
    }

    CompletableFuture<RepairShowReply> show(StrandPath path) {
        PathResolver.requireEntry(path, "show");
        return resolver.locateParent(path).thenCompose(dir ->
                connection.<RepairShowReply>call(new RepairShow(dir.attr().fid(), path.name())));
    }

    CompletableFuture<Attr> file(StrandPath path, int keep) {
        PathResolver.requireEntry(path, "repair");
        return resolver.locateParent(path).thenCompose(dir ->
                connection.<Attr>call(new RepairFile(dir.attr().fid(), path.name(), keep)));
    }

    CompletableFuture<Attr> dir(StrandPath path, Map<String, Integer> keep, boolean renameOthers) {
        List<String> names = List.copyOf(keep.keySet());
        List<Integer> replicas = names.stream().map(keep::get).toList();
        return resolver.locate(path, true).thenCompose(found -> connection.<Attr>call(
                new RepairDir(found.attr().fid(), names, replicas, renameOthers)));
    }
}
