package dev.strand.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code strand repair}: the objects in conflict between a volume's replicas (resolution could not merge them), and
 * their repair.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "List, show and repair objects in conflict between a volume's replicas.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {RepairListCommand.class, RepairShowCommand.class, RepairFileCommand.class})
public final class RepairCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: list, show or file");
    }
}
