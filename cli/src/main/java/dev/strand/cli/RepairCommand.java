package dev.strand.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code strand repair}: the objects in conflict between a volume's replicas (resolution could not merge them), and
 * their repair; and a check of the replicas that starts catch-up or resolution.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Check a volume's replicas; list, show and repair objects in conflict between them.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {RepairCheckCommand.class, RepairListCommand.class, RepairShowCommand.class,
                RepairFileCommand.class, RepairDirCommand.class})
public final class RepairCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: check, list, show, file or dir");
    }
}
