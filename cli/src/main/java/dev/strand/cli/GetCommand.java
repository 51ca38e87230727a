package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code strand get REMOTE LOCAL}. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Download a remote file to a local file (into it, if LOCAL is a directory); "
                + "the local file is replaced only once the download is complete.")
public final class GetCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "REMOTE", description = "Remote file (/<volume>/...); symbolic links are followed.")
    String remote;

    @Parameters(index = "1", paramLabel = "LOCAL", description = "Local file or directory, or - for standard output.")
    String local;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(remote, () -> {
            if (local.equals("-")) {
                OutputStream out = root().stdout();
                client.cat(remote, out, null);
                flush(out);
                return;
            }
            long size = -1;
            if (Progress.shown(Long.MAX_VALUE, root().progressAllowed(), StrandCommand.interactive())) {
                size = client.stat(remote, true).size(); // the bar needs the size before the first byte
            }
            try (Progress progress = Progress.start("get " + remote, size, root().progressAllowed())) {
                client.get(remote, Path.of(local), progress.listener());
            }
        });
    }

    static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
