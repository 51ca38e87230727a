package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.VolumeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strand volume info NAME [--json]}. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a volume: id, root, replicas, usage.")
public final class VolumeInfoCommand extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "Volume name.")
    String name;

    @Option(names = "--json", description = "Print the volume as JSON.")
    boolean json;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(name, () -> {
            VolumeInfo v = client.volumeInfo(name);
            if (json) {
                Json.print(out(), VolumeView.of(v));
                return;
            }
            out().println("       Name: " + v.name());
            out().println("         Id: " + v.id());
            out().println("       Root: " + Formats.fid(v.root()));
            out().println("   Replicas: " + v.replicas());
            out().println("    Created: " + Formats.isoTime(v.createdMillis()));
            out().println("      Files: " + count(v.files()));
            out().println("Directories: " + count(v.directories()));
            out().println("   Symlinks: " + count(v.symlinks()));
            out().println("      Bytes: " + (v.bytes() < 0 ? "unknown" : v.bytes() + " (" + Formats.humanBytes(v.bytes()) + ")"));
            if (v.versionVector() != null && !v.versionVector().isEmpty()) {
                out().println("    Version: " + v.versionVector());
            }
        });
    }

    private static String count(long n) {
        return n < 0 ? "unknown" : Long.toString(n);
    }
}
