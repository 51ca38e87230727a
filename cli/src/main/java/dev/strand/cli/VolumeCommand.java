package dev.strand.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strand volume}: the volume subcommands. */
@Command(name = "volume", mixinStandardHelpOptions = true,
        description = "Create, list and describe volumes (each volume is a tree with its own root).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {VolumeCreateCommand.class, VolumeListCommand.class, VolumeInfoCommand.class})
public final class VolumeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: create, list or info");
    }
}
