package dev.strand.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strand repair}: looking after replicas that fell behind or diverged. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Find and repair replicas that fell behind or diverged.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {RepairCheckCommand.class})
public final class RepairCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: check");
    }
}
