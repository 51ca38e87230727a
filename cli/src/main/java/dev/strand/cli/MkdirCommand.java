package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.StrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code strand mkdir [-p] [-m MODE] PATH...}. */
@Command(name = "mkdir", mixinStandardHelpOptions = true, description = "Create directories.")
public final class MkdirCommand extends ClientCommand {
    @Option(names = {"-p", "--parents"}, description = "Create missing parents too; an existing directory is no error.")
    boolean parents;

    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", converter = ModeConverter.class,
            description = "Permission bits in octal (default: 755).")
    Integer mode;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Directories to create.")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        int bits = mode == null ? StrandClient.DEFAULT_DIRECTORY_MODE : mode;
        int code = ExitCodes.OK;
        for (String path : paths) {
            code = combine(code, onPath(path, () -> {
                if (parents) {
                    client.mkdirs(path, bits);
                } else {
                    client.mkdir(path, bits);
                }
            }));
        }
        return code;
    }
}
