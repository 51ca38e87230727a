package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code strand mv SRC DST}. */
@Command(name = "mv", mixinStandardHelpOptions = true,
        description = "Move or rename SRC to DST atomically (into DST if it is a directory); "
                + "an existing DST is replaced as rename(2) does. Both must be on the same volume.")
public final class MvCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "SRC", description = "What to move (a symbolic link moves itself).")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "New path, or a directory to move into.")
    String target;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(source, () -> client.mv(source, target));
    }
}
