package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code strand truncate -s SIZE PATH...}. */
@Command(name = "truncate", mixinStandardHelpOptions = true,
        description = "Shrink or extend files to SIZE bytes (extended bytes read as zeros); missing files are created.")
public final class TruncateCommand extends ClientCommand {
    @Option(names = {"-s", "--size"}, required = true, paramLabel = "SIZE", converter = SizeParser.class,
            description = "New size: bytes, or with a suffix k, m, g, t (powers of 1024), e.g. 0, 100, 1k, 10m.")
    long size;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files to resize.")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        int code = ExitCodes.OK;
        for (String path : paths) {
            code = combine(code, onPath(path, () -> client.truncate(path, size)));
        }
        return code;
    }
}
