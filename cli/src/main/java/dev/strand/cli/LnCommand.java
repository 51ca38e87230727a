package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.FileType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strand ln [-s] TARGET LINKPATH}. */
@Command(name = "ln", mixinStandardHelpOptions = true,
        description = "Make a hard link LINKPATH to the file TARGET, or with -s a symbolic link whose target is "
                + "the text TARGET (into LINKPATH if it is a directory).")
public final class LnCommand extends ClientCommand {
    @Option(names = {"-s", "--symbolic"}, description = "Make a symbolic link. TARGET is stored as given: relative "
            + "targets are resolved from the link's directory, absolute ones as /<volume>/...")
    boolean symbolic;

    @Parameters(index = "0", paramLabel = "TARGET", description = "Existing file (hard link) or link text (-s).")
    String target;

    @Parameters(index = "1", paramLabel = "LINKPATH", description = "The new name, or a directory to put it in.")
    String linkPath;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(linkPath, () -> {
            if (symbolic) {
                client.symlink(target, intoDirectory(client));
            } else {
                client.link(target, linkPath);
            }
        });
    }

    /** As ln -s does: a LINKPATH that is a directory receives a link named after the target's last name. */
    private String intoDirectory(BlockingStrandClient client) {
        try {
            if (client.stat(linkPath, true).type() == FileType.DIRECTORY) {
                String name = lastName(target);
                if (!name.isEmpty()) {
                    return linkPath.endsWith("/") ? linkPath + name : linkPath + "/" + name;
                }
            }
        } catch (NotFoundException e) {
            // the usual case: LINKPATH is the new name
        }
        return linkPath;
    }

    private static String lastName(String path) {
        String trimmed = path;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return name.equals(".") || name.equals("..") ? "" : name;
    }
}
