package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.FileType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code strand stat [-L] [--json] PATH...}. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = "Show attributes: type, mode, size, links, owner, times, fid, versions.")
public final class StatCommand extends ClientCommand {
    @Option(names = {"-L", "--dereference"}, description = "Follow a final symbolic link (default: show the link itself).")
    boolean follow;

    @Option(names = "--json", description = "Print JSON: an object for one path, an array for several.")
    boolean json;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Paths to describe.")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        int code = ExitCodes.OK;
        Json.ArrayWriter array = json && paths.size() > 1 ? Json.array(out()) : null;
        try {
            for (String path : paths) {
                code = combine(code, onPath(path, () -> {
                    Attr attr = client.stat(path, follow);
                    String target = attr.type() == FileType.SYMLINK ? client.readLink(path) : null;
                    EntryView view = EntryView.of(path, nameOf(path), attr, target);
                    if (array != null) {
                        array.write(view);
                    } else if (json) {
                        Json.print(out(), view);
                    } else {
                        print(view);
                    }
                }));
            }
        } finally {
            if (array != null) {
                array.close();
            }
        }
        return code;
    }

    private void print(EntryView v) {
        out().println("   Path: " + v.path() + (v.target() == null ? "" : " -> " + v.target()));
        out().println("   Type: " + v.type());
        out().println("   Mode: " + v.mode() + " (" + v.permissions() + ")");
        out().println("   Size: " + v.size());
        out().println("  Links: " + v.links());
        out().println("  Owner: " + (v.owner() == null ? "-" : v.owner()));
        out().println(" Modify: " + v.mtime());
        out().println(" Change: " + Formats.isoTime(v.ctimeMillis()));
        out().println("    Fid: " + (v.fid() == null ? "-" : v.fid()));
        out().println("Version: " + v.dataVersion() + " " + v.versionVector());
    }

    private static String nameOf(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }
}
