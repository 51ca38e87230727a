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

    @Option(names = "--keep", paramLabel = "REPLICA",
            description = "The replica (its index) whose version to keep.")
    Integer keep;

    @Option(names = "--from", paramLabel = "LOCALFILE",
            description = "Give the file LOCALFILE's contents on every replica instead, with replica --keep's "
                    + "attributes (0 by default), in one step: LOCALFILE is stored to a temporary file beside it, "
                    + "which the repair takes the contents from.")
    java.nio.file.Path from;

    @Option(names = "--json", description = "Print the repaired file's attributes as JSON.")
    boolean json;

    /** What {@code --json} prints ({@code from}: the local file stored, or null). Field names are stable. */
    public record RepairedView(String path, int kept, String from, String fid, long size, long dataVersion,
                               List<Long> versionVector) {}

    @Override
    protected int run(BlockingStrandClient client) {
        if (keep == null && from == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing --keep REPLICA (or --from LOCALFILE)");
        }
        int kept = keep == null ? 0 : keep;
        return onPath(path, () -> {
            Attr a = from == null ? client.repairFile(path, kept) : client.repairFileFrom(path, from, kept);
            RepairedView view = new RepairedView(path, kept, from == null ? null : from.toString(),
                    Formats.fid(a.fid()), a.size(), a.dataVersion(), a.versionVector());
            if (json) {
                Json.print(out(), view);
                return;
            }
            out().println("repaired " + path + ": " + (from == null ? "replica " + kept + "'s version" : from
                    + "'s contents") + " (" + a.size() + " bytes, version " + a.versionVector()
                    + ") is every replica's");
        });
    }
}
