package dev.strand.client;

import dev.strand.protocol.message.Attr;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * put: a local file's contents written to a remote file through {@link AtomicWrite}. The local side's part: its
 * size, its permission bits (a new remote file gets them), its name (used when the remote path is a directory),
 * and a channel on it that is closed once the write ends either way.
 */
final class LocalFileWrite {

    private final AtomicWrite atomicWrite;

    LocalFileWrite(AtomicWrite atomicWrite) {
        this.atomicWrite = atomicWrite;
    }

    /** Fails with the local {@link IOException} if the local file cannot be read (or is a directory). */
    CompletableFuture<Attr> put(Path local, StrandPath remote, LongConsumer progress) {
        long size;
        int mode;
        try {
            if (Files.isDirectory(local)) {
                throw new IOException(local + " is a directory");
            }
            size = Files.size(local);
            mode = localMode(local);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        String localName = local.getFileName().toString();
        FileChannel channel;
        try {
            channel = FileChannel.open(local, StandardOpenOption.READ);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return atomicWrite.write(remote, localName, mode, size, channel, progress)
                .whenComplete((attr, error) -> closeQuietly(channel));
    }

    /** The local file's permission bits; the default file mode where the file system has none. */
    private static int localMode(Path local) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(local);
            int mode = 0;
            for (PosixFilePermission permission : permissions) {
                mode |= 1 << (8 - permission.ordinal());
            }
            return mode;
        } catch (UnsupportedOperationException | IOException e) {
            return StrandClient.DEFAULT_FILE_MODE;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing more to do with it
        }
    }
}
