package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code strand put LOCAL REMOTE}. */
@Command(name = "put", mixinStandardHelpOptions = true,
        description = {"Upload a local file, creating or replacing the remote file (into it, if REMOTE is a directory).",
                "All or nothing: an existing file gets its new contents in one store; a new file is written under a "
                        + "temporary name .strand-put-* beside it and renamed into place. A failed put leaves the remote "
                        + "file as it was, or absent. Exit code 13 (outcome unknown) if no server said whether the "
                        + "change was applied."})
public final class PutCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "LOCAL", description = "Local file, or - for standard input.")
    String local;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "Remote path (/<volume>/...).")
    String remote;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(remote, () -> {
            if (local.equals("-")) {
                client.write(remote, -1, Channels.newChannel(root().stdin()), null);
                return;
            }
            Path file = Path.of(local);
            long size = sizeOf(file);
            try (Progress progress = Progress.start("put " + file.getFileName(), size, root().progressAllowed())) {
                client.put(file, remote, progress.listener());
            }
        });
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
