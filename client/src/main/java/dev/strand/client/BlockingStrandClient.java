package dev.strand.client;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.HelloReply;
import dev.strand.protocol.message.ValidateReply;
import dev.strand.protocol.message.RepairCheckReply;
import dev.strand.protocol.message.VolumeInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;

/**
 * {@link StrandClient} with blocking methods. Failures are thrown as the
 * {@link dev.strand.protocol.StrandException} subclass of their status; local file errors as
 * {@link UncheckedIOException}.
 */
public final class BlockingStrandClient implements AutoCloseable {
    private final StrandClient client;

    public BlockingStrandClient(StrandClient client) {
        this.client = client;
    }

    public static BlockingStrandClient connect(ClientSettings settings) {
        return new BlockingStrandClient(StrandClient.connect(settings));
    }

    /** The asynchronous client underneath. */
    public StrandClient async() {
        return client;
    }

    public HelloReply helloReply() {
        return client.helloReply();
    }

    @Override
    public void close() {
        client.close();
    }

    public VolumeInfo volumeCreate(String name, int replicas) {
        return await(client.volumeCreate(name, replicas));
    }

    public VolumeInfo volumeCreate(String name, int replicas, String minReplicas) {
        return await(client.volumeCreate(name, replicas, minReplicas));
    }

    /** Every available replica's version of what the path names, and whether they agree. */
    public ValidateReply validate(String path) {
        return await(client.validate(path));
    }

    /** Every conflict of a volume. */
    public List<dev.strand.protocol.message.ConflictInfo> repairList(String volume) {
        return await(client.repairList(volume));
    }

    /** Every replica's version of what the path names. */
    public dev.strand.protocol.message.RepairShowReply repairShow(String path) {
        return await(client.repairShow(path));
    }

    /** Replica {@code keep}'s version of the file in conflict becomes every replica's. */
    public Attr repairFile(String path, int keep) {
        return await(client.repairFile(path, keep));
    }

    /** For each name in conflict, one replica's binding becomes every replica's (see {@link StrandClient#repairDir}). */
    public Attr repairDir(String path, java.util.Map<String, Integer> keep, boolean renameOthers) {
        return await(client.repairDir(path, keep, renameOthers));
    }

    /** The file in conflict gets {@code local}'s contents on every replica (see {@link StrandClient#repairFileFrom}). */
    public Attr repairFileFrom(String path, java.nio.file.Path local, int keep) {
        return await(client.repairFileFrom(path, local, keep));
    }

    public List<VolumeInfo> volumeList() {
        return await(client.volumeList());
    }

    public VolumeInfo volumeInfo(String name) {
        return await(client.volumeInfo(name));
    }

    /** REPAIR_CHECK: compares the volume's replicas now and starts what they need; each replica after the check. */
    public RepairCheckReply repairCheck(String volume) {
        return await(client.repairCheck(volume));
    }

    public Attr stat(String path) {
        return await(client.stat(path));
    }

    public Attr stat(String path, boolean followFinalLink) {
        return await(client.stat(path, followFinalLink));
    }

    public String readLink(String path) {
        return await(client.readLink(path));
    }

    /** The entries, fetched a page at a time as the iterator advances. */
    public Iterator<DirEntry> list(String path, boolean followFinalLink, boolean withAttrs) {
        return new PagedIterator(await(client.list(path, followFinalLink, withAttrs)));
    }

    /** The listing itself, for callers that want the listed object's attributes or whole pages. */
    public DirectoryListing listing(String path, boolean followFinalLink, boolean withAttrs) {
        return await(client.list(path, followFinalLink, withAttrs));
    }

    public FetchReply cat(String path, OutputStream out, LongConsumer progress) {
        return await(client.cat(path, out, progress));
    }

    public FetchReply get(String remote, Path local, LongConsumer progress) {
        return await(client.get(remote, local, progress));
    }

    public Attr put(Path local, String remote, LongConsumer progress) {
        return await(client.put(local, remote, progress));
    }

    public Attr write(String remote, long length, ReadableByteChannel source, LongConsumer progress) {
        return await(client.write(remote, length, source, progress));
    }

    public Attr createFile(String path, int mode, boolean exclusive) {
        return await(client.createFile(path, mode, exclusive));
    }

    public Attr mkdir(String path) {
        return await(client.mkdir(path));
    }

    public Attr mkdir(String path, int mode) {
        return await(client.mkdir(path, mode));
    }

    public Attr mkdirs(String path) {
        return await(client.mkdirs(path));
    }

    public Attr mkdirs(String path, int mode) {
        return await(client.mkdirs(path, mode));
    }

    public void mv(String source, String target) {
        await(client.mv(source, target));
    }

    public void rm(String path) {
        await(client.rm(path));
    }

    public void rmdir(String path) {
        await(client.rmdir(path));
    }

    public void rmRecursive(String path) {
        await(client.rmRecursive(path));
    }

    public Attr symlink(String target, String linkPath) {
        return await(client.symlink(target, linkPath));
    }

    public Attr link(String existing, String newPath) {
        return await(client.link(existing, newPath));
    }

    public Attr chmod(String path, int mode) {
        return await(client.chmod(path, mode));
    }

    public Attr truncate(String path, long size) {
        return await(client.truncate(path, size));
    }

    /**
     * Waits for a future and throws what it failed with, unwrapped: a StrandException or other unchecked
     * exception as it is, an IOException as UncheckedIOException.
     */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = StrandClient.unwrap(e);
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            throw new IllegalStateException(cause);
        }
    }

    private static final class PagedIterator implements Iterator<DirEntry> {
        private final DirectoryListing listing;
        private Iterator<DirEntry> page = List.<DirEntry>of().iterator();

        PagedIterator(DirectoryListing listing) {
            this.listing = listing;
        }

        @Override
        public boolean hasNext() {
            while (!page.hasNext() && listing.hasMore()) {
                page = await(listing.nextPage()).iterator();
            }
            return page.hasNext();
        }

        @Override
        public DirEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return page.next();
        }
    }
}
