package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code strand chmod MODE PATH...}. */
@Command(name = "chmod", mixinStandardHelpOptions = true,
        description = "Set permission bits (octal MODE, e.g. 644 or 1777); symbolic links are followed.")
public final class ChmodCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "MODE", converter = ModeConverter.class, description = "Octal mode, 0 to 7777.")
    int mode;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH", description = "Paths to change.")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        int code = ExitCodes.OK;
        for (String path : paths) {
            code = combine(code, onPath(path, () -> client.chmod(path, mode)));
        }
        return code;
    }
}
