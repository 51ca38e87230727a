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

import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Remove;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * {@code repair file --from}: the local contents are stored first to a new file under a temporary name beside the
     * file (as {@link AtomicWrite} stages a new file), then one REPAIR_FILE takes the file from its conflict to them
     * on every replica; the temporary file is removed either way. A failure before the repair changes nothing the
     * user sees: the file stays in conflict. A server that predates {@code from} repairs to replica {@code keep}'s
     * version (the reply does not carry the staged contents' size and time): then the contents are stored over it as
     * {@code put} would, the two steps of earlier clients.
     */
    CompletableFuture<Attr> fileFrom(StrandPath path, Path local, int keep,
                                     java.util.function.Supplier<CompletableFuture<Attr>> storeOver) {
        PathResolver.requireEntry(path, "repair");
        long size;
        FileChannel channel;
        try {
            if (Files.isDirectory(local)) {
                throw new IOException(local + " is a directory");
            }
            size = Files.size(local);
            channel = FileChannel.open(local, StandardOpenOption.READ);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        String temporary = AtomicWrite.TEMPORARY_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        return resolver.locateParent(path).thenCompose(dir -> {
            Fid d = dir.attr().fid();
            CompletableFuture<Attr[]> staged = connection.<Attr>call(new Create(d, temporary, 0600, true))
                    .thenCompose(created -> connection.store(created.fid(), size, channel, bytes -> { }))
                    .thenCompose(stored -> connection.<Attr>call(new RepairFile(d, path.name(), keep, stored.fid()))
                            .thenApply(repaired -> new Attr[] {stored, repaired}));
            return staged.handle((both, error) -> connection.<Empty>call(new Remove(d, temporary))
                    .handle((removed, removeError) -> {
                        if (error != null) {
                            throw new CompletionException(Futures.unwrap(error));
                        }
                        return both;
                    })).thenCompose(f -> f);
        }).whenComplete((done, error) -> closeQuietly(channel)).thenCompose(both -> {
            Attr stored = both[0];
            Attr repaired = both[1];
            boolean tookContents = repaired.size() == stored.size() && repaired.mtimeMillis() == stored.mtimeMillis();
            return tookContents ? CompletableFuture.completedFuture(repaired) : storeOver.get();
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing more to do with it
        }
    }

    CompletableFuture<Attr> dir(StrandPath path, Map<String, Integer> keep, boolean renameOthers) {
        List<String> names = List.copyOf(keep.keySet());
        List<Integer> replicas = names.stream().map(keep::get).toList();
        return resolver.locate(path, true).thenCompose(found -> connection.<Attr>call(
                new RepairDir(found.attr().fid(), names, replicas, renameOthers)));
    }
}
