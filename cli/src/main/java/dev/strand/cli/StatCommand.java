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

    @Option(names = "--validate", description = "Ask every replica for its version of the object and show whether "
            + "they agree (exit code 0 either way).")
    boolean validate;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Paths to describe.")
    List<String> paths;

    @Override
    protected int run(BlockingStrandClient client) {
        int code = ExitCodes.OK;
        Json.ArrayWriter array = json && paths.size() > 1 ? Json.array(out()) : null;
        try {
            for (String path : paths) {
                code = combine(code, onPath(path, () -> {
                    if (validate) {
                        ValidationView view = ValidationView.of(path, client.validate(path));
                        if (array != null) {
                            array.write(view);
                        } else if (json) {
                            Json.print(out(), view);
                        } else {
                            print(view);
                        }
                        return;
                    }
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

    private void print(ValidationView v) {
        out().println("   Path: " + v.path());
        out().printf("%7s  %-24s  %-24s  %s%n", "REPLICA", "NODE", "VERSION VECTOR", "DATA VERSION");
        for (ValidationView.ReplicaVersionView r : v.replicas()) {
            out().printf("%7d  %-24s  %-24s  %s%n", r.index(), r.node() == null ? "-" : r.node(),
                    r.versionVector().isEmpty() ? "(" + (r.problem() == null ? "none" : r.problem()) + ")"
                            : r.versionVector().toString(),
                    r.versionVector().isEmpty() ? "-" : Long.toString(r.dataVersion()));
        }
        out().println(v.agree() ? "  Agree: yes (every replica that answered has the same version)"
                : "  Agree: NO (the replicas differ)");
    }

    private static String nameOf(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(slash + 1);
    }
}
