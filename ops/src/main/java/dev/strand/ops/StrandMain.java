package dev.strand.ops;

import dev.strand.cli.StrandCommand;
import picocli.CommandLine;

/** The {@code strand} command: every client command, plus {@code server}. */
public final class StrandMain {
    private StrandMain() {}

    public static CommandLine commandLine() {
        CommandLine commandLine = StrandCommand.commandLine();
        commandLine.addSubcommand("server", new ServerCommand());
        commandLine.addSubcommand("cluster", new ClusterCommand());
        StrandCommand.applyExitCodeHelp(commandLine);
        return commandLine;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
