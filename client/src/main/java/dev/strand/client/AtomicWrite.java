package dev.strand.client;

import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.UnavailableException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Put;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;

/**
 * Writing a whole remote file, all or nothing (put, write).
 *
 * <p>Contents of at most {@link ProtocolLimits#MAX_PUT_BYTES} go in one PUT (a walk to the parent, then one change).
 * Larger ones take the general way below.
 *
 * <p>An existing file is stored in place: a STORE is all or nothing by itself (the new blob becomes the file's
 * contents only when it commits), and the file keeps its fid, links and permission bits.
 *
 * <p>A new file must be created first, and a create followed by a failed store would leave an empty file: so the
 * bytes go to a new file under a temporary name ({@value #TEMPORARY_PREFIX}{@code <16 hex digits>}) in the target's
 * directory, which is renamed to the target's name once stored. A failure before the rename removes the temporary
 * file and leaves no file behind; it fails with the cause (never "outcome unknown": nothing the user sees
 * changed). If no server says whether the rename happened ({@link OutcomeUnknownException}), the client looks:
 * the target name holding the new file means it did, the temporary name still there means it did not; if the
 * server cannot be asked either, the write fails with {@link OutcomeUnknownException}, naming the temporary file
 * that holds the new contents.
 */
final class AtomicWrite {

    static final String TEMPORARY_PREFIX = ".strand-put-";

    private final PathResolver resolver;
    private final StrandConnection connection;

    AtomicWrite(PathResolver resolver, StrandConnection connection) {
        this.resolver = resolver;
        this.connection = connection;
    }

    /** Where the bytes go: the name, its directory, the file there (null: none yet), the new file's mode, its path. */
    private record Target(Fid dir, String name, Attr existing, int mode, String shown) {}

    /**
     * Writes {@code length} bytes from {@code source} (-1: to its end) to the file {@code path} names (through
     * links), or into the directory it names under {@code nameIfDirectory} (if not null).
     */
    CompletableFuture<Attr> write(StrandPath path, String nameIfDirectory, int newFileMode, long length,
                                  ReadableByteChannel source, LongConsumer progress) {
        if (length >= 0 && length <= ProtocolLimits.MAX_PUT_BYTES && !path.isVolumeRoot() && !path.trailingSlash()) {
            byte[] data;
            try {
                data = readFully(source, (int) length);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return put(path, nameIfDirectory, newFileMode, data, progress);
        }
        return stored(path, nameIfDirectory, newFileMode, length, source, progress);
    }

    /**
     * Small contents in one PUT to the parent directory: it creates the file with them or replaces an existing
     * file's, in one change (no temporary file: the server's one event is all or nothing). A directory or symbolic
     * link of that name (IS_A_DIRECTORY, EXISTS) takes the general way, which follows links and writes into a
     * directory when {@code nameIfDirectory} is given; so does a server older than PUT (UNKNOWN_OPCODE).
     */
    private CompletableFuture<Attr> put(StrandPath path, String nameIfDirectory, int newFileMode, byte[] data,
                                        LongConsumer progress) {
        return resolver.locateParent(path)
                .thenCompose(dir -> connection.<Attr>call(new Put(dir.attr().fid(), path.name(), newFileMode, data)))
                .handle((attr, error) -> {
                    if (error == null) {
                        if (progress != null) {
                            progress.accept(data.length);
                        }
                        return CompletableFuture.completedFuture(attr);
                    }
                    Throwable cause = Futures.unwrap(error);
                    if (cause instanceof ExistsException || cause instanceof IsADirectoryException
                            || cause instanceof StrandException se && se.status() == Status.UNKNOWN_OPCODE) {
                        return stored(path, nameIfDirectory, newFileMode, data.length,
                                Channels.newChannel(new ByteArrayInputStream(data)), progress);
                    }
                    return CompletableFuture.<Attr>failedFuture(cause);
                }).thenCompose(f -> f);
    }

    /** {@code length} bytes of {@code source}; fewer is an {@link EOFException}, as a short STORE fails. */
    private static byte[] readFully(ReadableByteChannel source, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (source.read(buffer) < 0) {
                throw new EOFException("the source ended after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.array();
    }

    /** The general way: a STORE into the existing file, or into a new temporary file renamed into place. */
    private CompletableFuture<Attr> stored(StrandPath path, String nameIfDirectory, int newFileMode, long length,
                                           ReadableByteChannel source, LongConsumer progress) {
        return target(path, nameIfDirectory, newFileMode).thenCompose(target -> {
            if (target.existing() != null) {
                return connection.store(target.existing().fid(), length, source, progress);
            }
            String temporary = TEMPORARY_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            return connection.<Attr>call(new Create(target.dir(), temporary, target.mode(), true))
                    .thenCompose(created -> connection.store(created.fid(), length, source, progress))
                    .handle((stored, error) -> error == null
                            ? renameIntoPlace(target, temporary, stored)
                            : this.<Attr>removeAndFail(target, temporary, error))
                    .thenCompose(f -> f);
        });
    }

    private CompletableFuture<Target> target(StrandPath path, String nameIfDirectory, int newFileMode) {
        return resolver.locate(path, true).handle((found, error) -> {
            if (error == null) {
                Attr attr = PathResolver.requireObject(found);
                if (attr.type() == FileType.DIRECTORY) {
                    if (nameIfDirectory == null) {
                        return CompletableFuture.<Target>failedFuture(
                                new IsADirectoryException(found.path() + " is a directory"));
                    }
                    return target(found.path().append(List.of(nameIfDirectory)), null, newFileMode);
                }
                return CompletableFuture.completedFuture(new Target(null, found.path().name(), attr, attr.mode(),
                        found.path().toString()));
            }
            if (!(Futures.unwrap(error) instanceof NotFoundException)) {
                return CompletableFuture.<Target>failedFuture(Futures.unwrap(error));
            }
            return resolver.locateParent(path).thenApply(dir -> new Target(dir.attr().fid(), path.name(), null,
                    newFileMode, path.toString()));
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Attr> renameIntoPlace(Target target, String temporary, Attr stored) {
        return connection.<Empty>call(new Rename(target.dir(), temporary, target.dir(), target.name()))
                .handle((ok, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(stored);
                    }
                    if (!(Futures.unwrap(error) instanceof OutcomeUnknownException unknown)) {
                        return this.<Attr>removeAndFail(target, temporary, error);
                    }
                    return findOut(target, temporary, stored, unknown);
                }).thenCompose(f -> f);
    }

    /** The rename's outcome is unknown: the names tell it. */
    private CompletableFuture<Attr> findOut(Target target, String temporary, Attr stored, OutcomeUnknownException unknown) {
        return lookup(target.dir(), target.name()).handle((now, error) -> {
            if (error == null && now.fid().equals(stored.fid())) {
                return CompletableFuture.completedFuture(stored); // it happened
            }
            return lookup(target.dir(), temporary).handle((left, lookupError) -> {
                if (lookupError == null) {
                    return this.<Attr>removeAndFail(target, temporary, unknown); // it did not happen
                }
                return CompletableFuture.<Attr>failedFuture(new OutcomeUnknownException("no server said whether "
                        + target.shown() + " was replaced by its new contents (" + unknown.getMessage()
                        + "); if it was not, they are in " + temporary + " beside it"));
            }).thenCompose(f -> f);
        }).thenCompose(f -> f);
    }

    /** Removes the temporary file (if there is one), then fails: the target was not changed. */
    private <T> CompletableFuture<T> removeAndFail(Target target, String temporary, Throwable error) {
        Throwable cause = Futures.unwrap(error);
        return connection.<Empty>call(new Remove(target.dir(), temporary)).handle((ok, removeError) -> {
            boolean left = removeError != null && !(Futures.unwrap(removeError) instanceof NotFoundException);
            throw new CompletionException(unchanged(target, temporary, cause, left));
        });
    }

    private static Throwable unchanged(Target target, String temporary, Throwable cause, boolean temporaryLeft) {
        String left = temporaryLeft ? "; the temporary file " + temporary + " beside it could not be removed" : "";
        if (cause instanceof OutcomeUnknownException) { // of a step before the rename: the target is as it was
            return new UnavailableException(target.shown() + " was not changed: " + cause.getMessage() + left);
        }
        if (temporaryLeft && cause instanceof StrandException se) {
            return se.status().exception(se.getMessage() + left);
        }
        return cause;
    }

    private CompletableFuture<Attr> lookup(Fid dir, String name) {
        return resolver.lookup(dir, name);
    }
}
