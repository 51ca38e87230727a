package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.Attr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code strand repair file PATH --keep REPLICA [--json]}. */
@Command(name = "file", mixinStandardHelpOptions = true,
        description = "Repair a file in conflict: the version of replica REPLICA (see 'strand repair show') becomes "
                + "every replica's and the conflict is cleared. Every replica must be reachable, or nothing changes.")
public final class RepairFileCommand extends ClientCommand {
    @Parameters(paramLabel = "PATH", description = "/<volume>/<path> of the file in conflict.")
    String path;

    @Option(names = "--keep", paramLabel = "REPLICA", required = true,
            description = "The replica (its index) whose version to keep.")
    int keep;

    @Option(names = "--json", description = "Print the repaired file's attributes as JSON.")
    boolean json;

    /** What {@code --json} prints. Field names are stable. */
    public record RepairedView(String path, int kept, String fid, long size, long dataVersion,
                               List<Long> versionVector) {}

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(path, () -> {
            Attr a = client.repairFile(path, keep);
            RepairedView view = new RepairedView(path, keep, Formats.fid(a.fid()), a.size(), a.dataVersion(),
                    a.versionVector());
            if (json) {
                Json.print(out(), view);
                return;
            }
            out().println("repaired " + path + ": replica " + keep + "'s version (" + a.size() + " bytes, version "
                    + a.versionVector() + ") is every replica's");
        });
    }
}
