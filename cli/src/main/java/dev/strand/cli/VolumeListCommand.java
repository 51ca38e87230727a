package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.VolumeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code strand volume list [--json]}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the volumes, in name order.")
public final class VolumeListCommand extends ClientCommand {
    @Option(names = "--json", description = "Print a JSON array of volumes.")
    boolean json;

    @Override
    protected int run(BlockingStrandClient client) {
        List<VolumeInfo> volumes = client.volumeList();
        if (json) {
            Json.print(out(), volumes.stream().map(VolumeView::of).toList());
            return ExitCodes.OK;
        }
        int width = Math.max(4, volumes.stream().mapToInt(v -> v.name().length()).max().orElse(0));
        out().printf("%-" + width + "s %8s %8s  %s%n", "NAME", "ID", "REPLICAS", "CREATED");
        for (VolumeInfo v : volumes) {
            out().printf("%-" + width + "s %8d %8d  %s%n", v.name(), v.id(), v.replicas(), Formats.listTime(v.createdMillis()));
        }
        return ExitCodes.OK;
    }
}
