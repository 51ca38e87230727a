package dev.strand.client;

import dev.strand.protocol.error.ChangedException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.FetchReply;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Reading whole files (cat, get): every byte comes from one version of the file. A fetch is bound to the data
 * version the lookup found; if the file changes, it is looked up and fetched again (from the start), unless bytes
 * already went where they cannot be taken back.
 */
final class Downloads {

    /** How often cat and get start over when the file changes under them, before they give up (CHANGED). */
    static final int FETCH_ATTEMPTS = 3;

    private final StrandConnection connection;
    private final PathResolver resolver;

    Downloads(StrandConnection connection, PathResolver resolver) {
        this.connection = connection;
        this.resolver = resolver;
    }

    CompletableFuture<FetchReply> cat(StrandPath path, OutputStream out, LongConsumer progress, int attempt) {
        AtomicLong written = new AtomicLong();
        LongConsumer counting = n -> {
            written.set(n);
            if (progress != null) {
                progress.accept(n);
            }
        };
        return resolver.locateFile(path)
                .thenCompose(attr -> connection.fetch(attr.fid(), attr.dataVersion(), 0, -1, out, counting))
                .exceptionallyCompose(error -> {
                    Throwable cause = Futures.unwrap(error);
                    if (!(cause instanceof ChangedException)) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    if (written.get() == 0 && attempt < FETCH_ATTEMPTS) {
                        return cat(path, out, progress, attempt + 1); // nothing written yet: the new version
                    }
                    return CompletableFuture.failedFuture(new ChangedException(path + " changed while it was being "
                            + "read, after " + written.get() + " bytes had been written; read it again ("
                            + cause.getMessage() + ")"));
                });
    }

    /**
     * Copies a remote file to a local one (into it, if {@code local} is a directory). The bytes go to a
     * temporary file beside the target that replaces the target only once complete.
     */
    CompletableFuture<FetchReply> get(StrandPath p, Path local, LongConsumer progress) {
        return resolver.locateFile(p).thenCompose(attr -> {
            Path target = Files.isDirectory(local) ? local.resolve(p.name()) : local;
            Path dir = target.toAbsolutePath().getParent();
            Path temp;
            FileChannel channel;
            try {
                if (!Files.isDirectory(dir)) {
                    throw new java.nio.file.NoSuchFileException(dir.toString());
                }
                temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".strand-part");
                channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return fetchInto(p, attr, channel, progress, 1).handle((reply, error) -> {
                try {
                    channel.close();
                    if (error != null) {
                        Files.deleteIfExists(temp);
                        throw new CompletionException(Futures.unwrap(error));
                    }
                    applyMode(temp, reply.attr() != null ? reply.attr().mode() : attr.mode());
                    moveIntoPlace(temp, target);
                    return reply;
                } catch (IOException e) {
                    deleteQuietly(temp);
                    throw new CompletionException(e);
                }
            });
        });
    }

    /**
     * Fetches the version {@code attr} describes into {@code channel} from its start; if the file changed (a
     * fetch resumed after a lost connection found a newer version, or it changed since the lookup) the
     * channel is emptied and the file looked up and fetched again, so the result is always one whole version.
     */
    private CompletableFuture<FetchReply> fetchInto(StrandPath path, Attr attr, FileChannel channel,
                                                    LongConsumer progress, int attempt) {
        return connection.fetch(attr.fid(), attr.dataVersion(), 0, -1, channel, progress).exceptionallyCompose(error -> {
            Throwable cause = Futures.unwrap(error);
            if (!(cause instanceof ChangedException) || attempt >= FETCH_ATTEMPTS) {
                return CompletableFuture.failedFuture(cause);
            }
            try {
                channel.truncate(0);
                channel.position(0);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return resolver.locateFile(path).thenCompose(now -> fetchInto(path, now, channel, progress, attempt + 1));
        });
    }

    /** Gives a fetched file the remote permission bits, without group/other write (a conservative umask). */
    private static void applyMode(Path file, int mode) {
        int bits = mode & 0755;
        try {
            Set<PosixFilePermission> permissions = java.util.EnumSet.noneOf(PosixFilePermission.class);
            for (PosixFilePermission permission : PosixFilePermission.values()) {
                if ((bits & (1 << (8 - permission.ordinal()))) != 0) {
                    permissions.add(permission);
                }
            }
            Files.setPosixFilePermissions(file, permissions);
        } catch (UnsupportedOperationException | IOException e) {
            // permission bits are a courtesy on file systems without them
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: a stray temporary file is all that remains
        }
    }
}
