package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.VolumeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strand volume create NAME [--replicas N] [--min-replicas 1|majority]}. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume.")
public final class VolumeCreateCommand extends ClientCommand {
    @Parameters(paramLabel = "NAME",
            description = "Volume name: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
    String name;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "1",
            description = "Replicas in the volume's storage group (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--min-replicas", paramLabel = "1|majority", defaultValue = "1",
            description = "Replicas that must apply a change before it succeeds: 1 (default) or majority.")
    String minReplicas;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(name, () -> {
            VolumeInfo v = client.volumeCreate(name, replicas, minReplicas);
            out().println("created volume " + v.name() + " (id " + v.id() + ", " + v.replicas()
                    + (v.replicas() == 1 ? " replica)" : " replicas)"));
        });
    }
}
