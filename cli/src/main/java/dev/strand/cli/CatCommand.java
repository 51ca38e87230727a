package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.OutputStream;
import java.util.List;

/** {@code strand cat PATH...}. */
@Command(name = "cat", mixinStandardHelpOptions = true,
        description = "Write files' contents to standard output (symbolic links are followed).")
public final class CatCommand extends ClientCommand {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files to print, in order.")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        OutputStream out = root().stdout();
        int code = ExitCodes.OK;
        for (String path : paths) {
            code = combine(code, onPath(path, () -> client.cat(path, out, null)));
        }
        GetCommand.flush(out);
        return code;
    }
}
