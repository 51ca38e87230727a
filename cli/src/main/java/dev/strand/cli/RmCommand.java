package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.error.NoSuchVolumeException;
import dev.strand.protocol.error.NotFoundException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code strand rm [-r] [-f] PATH...}. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove files and symbolic links; with -r, directories and everything below them.")
public final class RmCommand extends ClientCommand {
    @Option(names = {"-r", "-R", "--recursive"}, description = "Remove directories and their contents, depth first.")
    boolean recursive;

    @Option(names = {"-f", "--force"}, description = "A path that does not exist is no error.")
    boolean force;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Paths to remove (links are removed, never followed).")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        int code = ExitCodes.OK;
        for (String path : paths) {
            code = combine(code, onPath(path, () -> {
                try {
                    if (recursive) {
                        client.rmRecursive(path);
                    } else {
                        client.rm(path);
                    }
                } catch (NotFoundException | NoSuchVolumeException e) {
                    if (!force) {
                        throw e;
                    }
                }
            }));
        }
        return code;
    }
}
